// The Encryption module; see ../shared/STYLE.md.
