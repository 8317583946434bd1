// The EtcdStore module; see ../shared/STYLE.md.
