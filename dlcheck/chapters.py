"""The chapters of the course notes, in syllabus order (kept dependency-free: `dlcheck list` reads it)."""

CHAPTERS: dict[str, str] = {
    "ml-basics": "ML basics & training",
    "cnn": "CNN",
    "rnn": "RNN",
    "vae": "VAE",
    "autoregressive": "Autoregressive models",
    "gans": "GANs",
    "flows": "Normalizing flows",
    "diffusion": "Diffusion",
    "body-models": "Body models",
    "implicit-surfaces": "Implicit surfaces & NeRF",
    "gaussian-splatting": "Gaussian splatting",
    "appendix": "Appendix & proofs",
}
