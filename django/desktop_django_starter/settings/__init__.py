"""Settings modules: `base` holds what every mode shares, `dev` and `packaged` finish it."""
