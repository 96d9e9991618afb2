"""Modal screens: export, help, the file picker."""
