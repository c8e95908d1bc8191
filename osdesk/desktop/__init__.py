"""Desktop integration: the menu entry, icons and metainfo, and where they are found."""
