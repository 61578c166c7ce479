/* The structures of a training run: read from the configured files, checked for the labels
 * the loss needs, and split into training, validation and test sets by the seed. */
#ifndef MLPOT_TRAIN_TRAIN_DATA_H
#define MLPOT_TRAIN_TRAIN_DATA_H

#include "train/config.h"

typedef struct train_data {
    mlpot_dataset files[3]; /* as read: training, validation, test files */
    const mlpot_structure **set[3];
    size_t n[3];            /* structures in the training, validation and test sets */
    int n_elements;
    int elements[MLPOT_MAX_ELEMENT]; /* atomic numbers, ascending */
} train_data;

enum { TRAIN_SET = 0, VALIDATION_SET = 1, TEST_SET = 2 };

mlpot_status train_data_load(train_data *d, const mlpot_train_config *c, mlpot_error *err);
void train_data_free(train_data *d);

#endif
