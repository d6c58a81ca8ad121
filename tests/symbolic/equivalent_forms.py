"""Correct answers to every symbolic exercise, written unlike the reference (plain, LaTeX, unicode,
other algebra): shared by the tests that must never reject a correct answer."""

from __future__ import annotations

EQUIVALENT_FORMS: dict[str, dict[str, str]] = {
    "actnorm_logdet": {
        "latex": r"h w c \log s",
        "log_of_power": r"\log\left(s^{h w c}\right)",
        "abs_of_positive": "hwc ln|s|",
        "split_log": "h*w*c*(log(2*s) - log(2))",
    },
    "bce_logit_gradient": {
        "derived_p": "p - y",
        "exp_form": "1/(1 + exp(-z)) - y",
        "expanded_terms": "-(y*(1 - sigma(z)) - (1 - y)*sigma(z))",
    },
    "change_of_variables_integral": {
        "latex": r"p_y(y) = \frac{1}{y\sigma\sqrt{2\pi}} e^{-\frac{(\ln y - \mu)^2}{2\sigma^2}}",
        "sqrt_of_square": "1/y * 1/sqrt(2*pi*sigma^2) * exp(-(log(y) - mu)^2/(2*sigma^2))",
        "exp_of_log": "exp(-(log(y) - mu)^2/(2*sigma^2) - log(y) - log(sigma) - log(2*pi)/2)",
    },
    "conv_shape_formula": {
        "ceil": "ceil((L_in + 2p - dk + d)/s)",
        "latex_floor_plus_one_inside": r"\left\lfloor \frac{L_{in} + 2p - d(k-1) - 1}{s} + 1 \right\rfloor",
        "unicode": "⌊(L_in + 2p − d·(k − 1) − 1)/s⌋ + 1",
        "floor_shifted": "floor((L_in + 2p - d(k-1) + s - 1)/s)",
        "minus_floor_minus": "-floor(-(L_in + 2p - d(k-1))/s)",
    },
    "ddpm_posterior_mean": {
        "plain": "x_t/sqrt(alpha_t) - beta_t*epsilon/(sqrt(alpha_t)*sqrt(1-alpha_bar_t))",
        "latex": r"\frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\epsilon_\theta\right)",
        "unicode": "(x_t − β_t/√(1−ᾱ_t)·ε)/√α_t",
    },
    "gan_js_at_optimum": {
        "factored": "C(G) = 2(JS − ln 2)",
        "latex": r"-\log 4 + 2\,\mathrm{JS}",
        "two_logs": r"\operatorname{JSD} \cdot 2 - \log(2) - \log(2)",
    },
    "gan_optimal_discriminator": {
        "ratio": "1/(1 + p_m/p_d)",
        "latex": r"D^*(x) = \frac{p_{data}}{p_{data} + p_g}",
        "one_minus": "1 - p_m/(p_d + p_m)",
    },
    "gaussian_cross_entropy": {
        "latex": r"\frac{1}{2}\log(2\pi\sigma_2^2) + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2}",
        "entropy_plus_kl": "1/2*ln(2*π*e*σ_1^2) + ln(σ_2/σ_1) + (σ_1^2 + (μ_1 - μ_2)^2)/(2σ_2^2) - 1/2",
        "log_sigma": "log(sigma_2) + log(2*pi)/2 + (sigma_1^2 + mu_1^2 - 2*mu_1*mu_2 + mu_2^2)/(2*sigma_2^2)",
    },
    "gaussian_entropy": {
        "latex": r"\frac{1}{2}\ln\left(2\pi e \sigma^2\right)",
        "unicode": "H(p) = ½ ln(2πeσ²)",
        "log_of_sqrt": "log(sigma*sqrt(2*pi*e))",
        "split": "1/2 + log(sigma) + log(2*pi)/2",
    },
    "implicit_diff_circle": {
        "negated_denominator": "x/(-y)",
        "latex": r"\frac{dy}{dx} = -\frac{x}{y}",
        "times_y_over_y_squared": "-x*y/y^2",
        "equal_on_the_circle_only": "-x*y/(1 - x^2)",
    },
    "kl_gaussian_1d": {
        "plain": "1/2*log(sigma_2^2/sigma_1^2) + sigma_1^2/(2 sigma_2^2) + (mu_1-mu_2)^2/(2sigma_2^2) - 0.5",
        "latex": r"\ln\sigma_2 - \ln\sigma_1 + \frac{\sigma_1^2 + (\mu_2-\mu_1)^2}{2\sigma_2^2} - \frac12",
        "unicode": "ln σ₂ − ln σ₁ + (σ₁² + (μ₂ − μ₁)²)/(2σ₂²) − ½",
    },
    "kl_nonnegative_instance": {
        "latex": r"p\ln\frac{p}{q} + (1-p)\ln\frac{1-p}{1-q}",
        "split_logs": "p log p - p log q + (1 - p) log(1 - p) - (1 - p) log(1 - q)",
        "cross_entropy_minus_entropy": "-p*log(q) - (1-p)*log(1-q) + p*log(p) + (1-p)*log(1-p)",
    },
    "receptive_field": {
        "latex": r"1 + L\cdot d\,(k-1)",
        "expanded": "L*d*k - L*d + 1",
        "unicode": "1 + L·d·(k − 1)",
    },
    "rnn_gradient_bound": {
        "latex": r"(\gamma \lambda_1)^{t-k}",
        "two_powers": r"\gamma^{t-k}\lambda_{1}^{t-k}",
        "exp_log": "exp((t - k)*log(gamma*lambda_1))",
        "quotient": "(gamma*lambda_1)^t/(gamma*lambda_1)^k",
    },
    "sigmoid_derivative": {
        "plain": "sigma'(x) = sigma(x) - sigma(x)^2",
        "latex": r"\frac{e^{-x}}{\left(1+e^{-x}\right)^2}",
        "unicode": "σ(x)·(1 − σ(x))",
        "cosh": "1/(2 + exp(x) + exp(-x))",
    },
    "wavenet_receptive_field": {
        "python_power": "2**L",
        "latex": r"R = 2^{L}",
        "sum_plus_one": "1 + (2^L − 1)",
        "doubled_half": "2*2^(L-1)",
    },
}
