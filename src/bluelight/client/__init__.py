"""bluelight.client: the async Python SDK for CAD integrators.

    async with Client("http://127.0.0.1:8000", token) as hub:
        receipt = await hub.submit(["uk.fire.south-wales"], incident)
        async with hub.stream() as stream:
            async for entry in stream:
                ...

A region's nodes, tried in turn when one fails: `Client(endpoints=[...], token=token)`.
"""

from bluelight.client._errors import HubError, Unavailable
from bluelight.client._http import Client
from bluelight.client._signing import SignatureCheck
from bluelight.client._stream import Stream
from bluelight.client.bodies import body_of

__all__ = ["Client", "HubError", "SignatureCheck", "Stream", "Unavailable", "body_of"]
