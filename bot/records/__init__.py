"""The bureau's records: one database (``db.Database``) and the services over it — turns (``turns``),
people and roles (``people``), the unit register (``units``), on-site sessions (``sessions``), inspector
training (``training``) and the report queries (``reports``). ``services.Records`` opens them together."""
