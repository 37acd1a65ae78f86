-- firststart.lua - what the milter does with mail leaving by an egress
-- it cannot judge, and what its 451 says. With -D expect=accept, a
-- message whose SPF would fail from a real address is accepted; with
-- -D expect=tempfail -D reply=TEXT the 451 reply text is exactly TEXT
-- (-D from=SENDER: another MAIL FROM).
dofile(lib)

local conn = open()
message(conn, { from = from or "<alice@fail.spf.test>",
    headers = { { "From", "alice@example.test" } } })
if expect == "accept" then
	check(mt.getreply(conn) == SMFIR_ACCEPT,
	    "a message that would fail SPF from a public address: accepted")
	check(not mt.eom_check(conn, MT_QUARANTINE), "... and not held")
else
	check(mt.getreply(conn) == SMFIR_REPLYCODE, "the message is refused with a reply code")
	check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.1", reply),
	    "the 451 names the deciding reasons first: " .. reply)
end
mt.disconnect(conn)
finish()
