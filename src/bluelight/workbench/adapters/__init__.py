"""Storage of the collaboration workbench (register, board, estates...).

It lives in its own SQLite file (`<data_dir>/workbench.sqlite`), apart from the hub's
operational database: planning data has another owner, another backup rhythm and no
personal data of incidents. See docs/decisions/0012-workbench-database.md."""
