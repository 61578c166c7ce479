/* mlpot: machine-learning interatomic potentials. The umbrella header. */
#ifndef MLPOT_MLPOT_H
#define MLPOT_MLPOT_H

#include "mlpot/status.h"
#include "mlpot/units.h"
#include "mlpot/elements.h"
#include "mlpot/structure.h"
#include "mlpot/neighbours.h"
#include "mlpot/potential.h"
#include "mlpot/descriptor.h"
#include "mlpot/acsf.h"
#include "mlpot/soap.h"
#include "mlpot/classical.h"
#include "mlpot/ewald.h"
#include "mlpot/qeq.h"
#include "mlpot/nnp.h"
#include "mlpot/gap.h"
#include "mlpot/io.h"
#include "mlpot/train.h"
#include "mlpot/gap_fit.h"
#include "mlpot/dynamics.h"
#include "mlpot/analysis.h"

#endif
