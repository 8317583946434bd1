// The Interop module; see ../shared/STYLE.md.
