"""Services: the domain core applied to the database. Views, API, CLI and console call these."""
