"""A notification server for tests: owns org.freedesktop.Notifications on the session bus
(jeepney), answers Introspect, and takes Notify only with the spec's signature, printing
each call it gets. Run as a script with DBUS_SESSION_BUS_ADDRESS set."""

from jeepney import MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

MEMBER, SIGNATURE = 3, 8  # header field codes
SPEC = "susssasa{sv}i"


def main() -> None:
    conn = open_dbus_connection(bus="SESSION")
    conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.Notifications"))
    print("ready", flush=True)
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        if msg.header.fields.get(MEMBER) != "Notify":
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))
            continue
        signature = msg.header.fields.get(SIGNATURE)
        print("Notify", signature, repr(msg.body), flush=True)
        if signature == SPEC:
            conn.send(new_method_return(msg, "u", (1,)))
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs"))


if __name__ == "__main__":
    main()
