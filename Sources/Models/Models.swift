// The Models module; see ../shared/STYLE.md.
