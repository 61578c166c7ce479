/* SOAP's radial basis (QUIP's EQUISPACED_GAUSS), scaled modified spherical Bessel functions
 * and real spherical harmonics. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/memory.h"
#include "descriptors/soap_internal.h"

static const double PI = 3.14159265358979323846;

void soap_desc_free(soap_desc *d)
{
    if (!d) return;
    free(d->r_basis);
    free(d->transform);
    free(d->lweight);
    free(d->ylm_norm);
    free(d->double_factorial);
    memset(d, 0, sizeof *d);
}

/* Overlap ∫₀^∞ r² g_a g_b dr of two Gaussians exp(-α(r - r_x)²), in closed form. */
static double gaussian_overlap(double alpha, double ra, double rb)
{
    double s = ra + rb;
    return (exp(-alpha * (ra * ra + rb * rb)) * sqrt(2.0) * pow(alpha, 1.5) * s +
            alpha * exp(-0.5 * alpha * (ra - rb) * (ra - rb)) * sqrt(PI) * (1.0 + alpha * s * s) *
                (1.0 + erf(sqrt(alpha / 2.0) * s))) /
           sqrt(128.0 * pow(alpha, 5));
}

mlpot_status soap_desc_init(soap_desc *d, const mlpot_soap_params *p, mlpot_error *err)
{
    memset(d, 0, sizeof *d);
    mlpot_status st = mlpot_soap_params_check(p, err);
    if (st) return st;
    d->p = *p;
    const int n = p->n_max, L = p->l_max + 1;
    d->n_max = n;
    d->l_max = p->l_max;
    d->L = L;
    d->n_lm = L * L;
    d->K = p->n_species * n;
    d->dim = mlpot_soap_dimension(p);
    d->n_power = d->dim - 1;
    d->alpha = 0.5 / (p->atom_sigma * p->atom_sigma);
    d->r_basis = mlpot_calloc((size_t)n, sizeof(double));
    d->transform = mlpot_calloc((size_t)n * n, sizeof(double));
    d->lweight = mlpot_calloc((size_t)L, sizeof(double));
    d->ylm_norm = mlpot_calloc((size_t)d->n_lm, sizeof(double));
    d->double_factorial = mlpot_calloc((size_t)L, sizeof(double));
    double *S = mlpot_calloc((size_t)n * n, sizeof(double));
    double *C = mlpot_calloc((size_t)n * n, sizeof(double));
    if (!d->r_basis || !d->transform || !d->lweight || !d->ylm_norm || !d->double_factorial || !S || !C) {
        free(S), free(C);
        soap_desc_free(d);
        return mlpot_fail_memory(err, "setting up SOAP");
    }
    /* basis centres, accumulated as QUIP does */
    double r_cut_basis = p->cutoff + p->atom_sigma * sqrt(2.0 * p->basis_error_exponent * log(10.0));
    double spacing = r_cut_basis / n;
    d->r_basis[0] = 0.0;
    for (int a = 1; a < n; ++a) d->r_basis[a] = d->r_basis[a - 1] + spacing;
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) {
            double dr = d->r_basis[a] - d->r_basis[b];
            C[a * n + b] = exp(-d->alpha * dr * dr);
            S[a * n + b] = gaussian_overlap(d->alpha, d->r_basis[a], d->r_basis[b]);
        }
    /* S = L Lᵀ; T = C⁻¹ L */
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, S, n);
    if (info == 0) {
        for (int a = 0; a < n; ++a)
            for (int b = 0; b < n; ++b) d->transform[a * n + b] = b <= a ? S[a * n + b] : 0.0;
        info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', n, n, C, n, d->transform, n);
    }
    double l11 = S[0];
    free(S), free(C);
    if (info != 0) {
        soap_desc_free(d);
        return mlpot_fail(err, MLPOT_ERR_NUMERIC,
                          "soap: the radial basis is numerically singular (n_max=%d is too large for "
                          "atom_sigma=%g and cutoff=%g)",
                          p->n_max, p->atom_sigma, p->cutoff);
    }
    d->central_coefficient = p->central_weight * l11 / sqrt(4.0 * PI);
    int two_l_plus_one = p->xml_version >= MLPOT_SOAP_VERSION_TWO_L_PLUS_ONE;
    for (int l = 0; l < L; ++l) d->lweight[l] = two_l_plus_one ? 1.0 / sqrt(2.0 * l + 1.0) : 1.0;
    d->central_all = p->central_reference_all_species >= 0 ? p->central_reference_all_species : p->n_species == 1;
    if (p->xml_version < MLPOT_SOAP_VERSION_CENTRAL_REFERENCE) d->central_all = 1;
    /* real harmonics: sqrt((2l+1)/(4π) (l-m)!/(l+m)!), times √2 for m != 0 */
    for (int l = 0; l < L; ++l)
        for (int m = 0; m <= l; ++m) {
            double ratio = 1.0;
            for (int k = l - m + 1; k <= l + m; ++k) ratio /= k;
            double v = sqrt((2.0 * l + 1.0) / (4.0 * PI) * ratio) * (m ? sqrt(2.0) : 1.0);
            d->ylm_norm[l * l + l + m] = v;
            d->ylm_norm[l * l + l - m] = v;
        }
    d->double_factorial[0] = 1.0;
    for (int m = 1; m < L; ++m) d->double_factorial[m] = d->double_factorial[m - 1] * (2.0 * m - 1.0);
    for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z) {
        d->channel[z] = -1;
        d->centre[z] = 0;
    }
    for (int s = 0; s < p->n_species; ++s) {
        if (p->species[s] == 0)
            for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z) d->channel[z] = s;
        else d->channel[p->species[s]] = s;
    }
    for (int c = 0; c < p->n_centres; ++c) {
        if (p->centres[c] == 0)
            for (int z = 0; z <= MLPOT_MAX_ELEMENT; ++z) d->centre[z] = 1;
        else d->centre[p->centres[c]] = 1;
    }
    return MLPOT_OK;
}

/* --- modified spherical Bessel functions --------------------------------------------------- */

/* i_l(x) by its power series x^l/(2l+1)!! Σ_k (x²/2)^k / (k! (2l+3)(2l+5)...(2l+2k+1)); all
 * terms are positive, so it is accurate wherever it is used (x below ~50). */
static double bessel_series(int l, double x)
{
    double t = 1.0;
    for (int k = 1; k <= l; ++k) t *= x / (2.0 * k + 1.0);
    double sum = 0.0, half_x2 = 0.5 * x * x;
    for (int k = 1; k < 1000; ++k) {
        sum += t;
        t *= half_x2 / (k * (2.0 * l + 2.0 * k + 1.0));
        if (t < 1e-17 * sum) break;
    }
    return sum + t;
}

/* Below this argument the upward recurrence loses more than ~1e-13 relative accuracy at the
 * highest order (it amplifies rounding by roughly (2l+1)!!/x^l·e^-x ...); measured against
 * exact values for lmax up to 20. */
static double upward_threshold(int lmax)
{
    double t = 0.25 * lmax * (lmax + 1.0);
    return t > 2.0 ? t : 2.0;
}

void soap_scaled_bessel(double alpha, double rho, double r, int lmax, double *out)
{
    double x = 2.0 * alpha * rho * r;
    if (x == 0.0) {
        out[0] = exp(-alpha * (rho * rho + r * r));
        for (int l = 1; l <= lmax; ++l) out[l] = 0.0;
        return;
    }
    if (x >= upward_threshold(lmax)) {
        /* exp(-α(ρ²+r²))·sinh(x)/x and ·cosh(x)/x without overflow, then upward */
        double em = exp(-alpha * (rho - r) * (rho - r));
        double ep = exp(-alpha * (rho + r) * (rho + r));
        double inv_x = 1.0 / x;
        double prev = 0.5 * (em + ep) * inv_x; /* "i_{-1}" */
        double cur = 0.5 * (em - ep) * inv_x;
        out[0] = cur;
        for (int l = 0; l < lmax; ++l) {
            double next = prev - (2 * l + 1) * cur * inv_x;
            out[l + 1] = next;
            prev = cur;
            cur = next;
        }
        return;
    }
    /* small arguments: the two highest orders by series, then the stable downward recurrence
     * i_{l-1} = i_{l+1} + (2l+1)/x i_l */
    double scale = exp(-alpha * (rho * rho + r * r));
    double hi = bessel_series(lmax, x);
    out[lmax] = hi * scale;
    if (lmax == 0) return;
    double mid = bessel_series(lmax - 1, x);
    out[lmax - 1] = mid * scale;
    for (int l = lmax - 1; l >= 1; --l) {
        double lo = hi + (2 * l + 1) * mid / x;
        out[l - 1] = lo * scale;
        hi = mid;
        mid = lo;
    }
}

/* --- real spherical harmonics -------------------------------------------------------------- */

void soap_harmonics(int lmax, const double *norm, const double *double_factorial,
                    const double u[3], double *Y, double *dY, double *scratch)
{
    const int L = lmax + 1;
    const double x = u[0], y = u[1], z = u[2];
    double *C = scratch, *S = C + L, *Q = S + L, *dQ = Q + L;
    /* C_m + i S_m = (x + iy)^m */
    C[0] = 1.0, S[0] = 0.0;
    for (int m = 1; m < L; ++m) {
        C[m] = x * C[m - 1] - y * S[m - 1];
        S[m] = x * S[m - 1] + y * C[m - 1];
    }
    for (int m = 0; m < L; ++m) {
        /* Q_l^m(z): P_l^m = (1-z²)^{m/2} Q_l^m, by the recurrence in l at fixed m */
        double q2 = 0.0, q1 = double_factorial[m], d2 = 0.0, d1 = 0.0;
        for (int l = m; l < L; ++l) {
            double q, dq;
            if (l == m) q = q1, dq = 0.0;
            else if (l == m + 1) q = (2 * m + 1) * z * q1, dq = (2 * m + 1) * q1;
            else {
                q = ((2 * l - 1) * z * q1 - (l + m - 1) * q2) / (l - m);
                dq = ((2 * l - 1) * (q1 + z * d1) - (l + m - 1) * d2) / (l - m);
            }
            if (l > m) q2 = q1, q1 = q, d2 = d1, d1 = dq;
            Q[l] = q;
            dQ[l] = dq;
        }
        for (int l = m; l < L; ++l) {
            int ip = l * l + l + m, im = l * l + l - m;
            double nq = norm[ip] * Q[l], ndq = norm[ip] * dQ[l];
            if (m == 0) {
                Y[ip] = nq;
                if (dY) dY[3 * ip] = 0.0, dY[3 * ip + 1] = 0.0, dY[3 * ip + 2] = ndq;
                continue;
            }
            Y[ip] = nq * C[m];
            Y[im] = nq * S[m];
            if (dY) {
                dY[3 * ip] = nq * m * C[m - 1];
                dY[3 * ip + 1] = -nq * m * S[m - 1];
                dY[3 * ip + 2] = ndq * C[m];
                dY[3 * im] = nq * m * S[m - 1];
                dY[3 * im + 1] = nq * m * C[m - 1];
                dY[3 * im + 2] = ndq * S[m];
            }
        }
    }
}
