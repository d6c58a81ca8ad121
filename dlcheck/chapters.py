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


def resolve_chapter(name: str) -> str:
    """The chapter id for what a student typed: an id or a title, in any case ("VAE", "normalizing
    flows"); UsageError with a did-you-mean otherwise."""
    import difflib

    from .errors import UsageError

    wanted = " ".join(name.split()).lower()
    names = {**{cid: cid for cid in CHAPTERS}, **{title.lower(): cid for cid, title in CHAPTERS.items()}}
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    hint = f" Did you mean '{names[close[0]]}'?" if close else ""
    raise UsageError(f"Unknown chapter '{name}'.{hint} Chapters: {', '.join(CHAPTERS)}.")
