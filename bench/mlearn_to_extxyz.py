#!/usr/bin/python3
"""mlearn's pymatgen JSON (Zuo et al. 2020, zuo2020_mlearn/mlearn/data/<El>/*.json) as extended
XYZ with the stress, which the ACEData extxyz copies of the same frames do not carry.

mlearn keeps VASP's stress as it is: "virial_stress" in kBar, in VASP's order xx yy zz xy yz zx,
positive under compression. The extxyz gets ASE's stress: eV/Å³, Voigt xx yy zz yz xz xy,
positive under tension (σ = (1/V) ∂E/∂ε). The order and sign were checked against the paper's
own n2p2 networks evaluated by mlpot on the training frames: the diagonal agrees to 0.06 GPa
RMS on Li and each off-diagonal component matches only in this order.

usage: bench/mlearn_to_extxyz.py training.json out.xyz
"""
import json
import os
import sys

from ase.units import GPa

KBAR = 0.1 * GPa  # eV/Å³ per kBar
VOIGT_FROM_VASP = (0, 1, 2, 4, 5, 3)  # ASE's yz, xz, xy are VASP's 5th, 6th and 4th


def main(source, target):
    with open(source) as f:
        frames = json.load(f)
    with open(target + ".tmp", "w") as out:
        for k, frame in enumerate(frames):
            structure, labels = frame["structure"], frame["outputs"]
            sites, forces, vasp = structure["sites"], labels["forces"], labels["virial_stress"]
            if len(forces) != len(sites) or len(vasp) != 6:
                sys.exit("%s: frame %d: %d sites, %d forces, %d stress components (expected 6)"
                         % (source, k + 1, len(sites), len(forces), len(vasp)))
            stress = " ".join("%.10g" % (-KBAR * vasp[c]) for c in VOIGT_FROM_VASP)
            cell = " ".join("%.10f" % x for row in structure["lattice"]["matrix"] for x in row)
            out.write("%d\nenergy=%.10f stress=\"%s\" Lattice=\"%s\" pbc=\"T T T\" "
                      "Properties=species:S:1:pos:R:3:force:R:3\n" % (len(sites), labels["energy"], stress, cell))
            for site, f in zip(sites, forces):
                out.write("%s %.10f %.10f %.10f %.10f %.10f %.10f\n"
                          % (site["species"][0]["element"], *site["xyz"], *f))
    os.replace(target + ".tmp", target)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1], sys.argv[2])
