"""The Textual front end. It calls services; services never import it."""
