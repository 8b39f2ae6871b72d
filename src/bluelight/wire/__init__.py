"""The wire types: what crosses the hub's HTTP and WebSocket interfaces, as msgspec Structs
and enums. Pure data with its validation rules and nothing else, so the SDK
(`bluelight.client`) can ship with this package alone and the server's domain builds on
the same definitions (one schema, not two)."""
