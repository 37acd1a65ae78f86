-- reroute.lua - the primary egress (192.0.2.20) is listed on bl.test:
-- mail is rerouted to the backup (192.0.2.10) when the message's SPF
-- passes there, and tempfailed (Fallback) when it would fail there.
dofile(lib)

local conn = open()
message(conn, { from = "<alice@pass.spf.test>",
    headers = { { "From", "Alice <alice@pass.spf.test>" },
                { "X-Egress-Route", "primary" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT, "listed primary, SPF passes on the backup: accepted")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Egress-Route"), "the client's own route header is deleted")
check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Route", " backup"), "the route header names the backup egress")

message(conn, { from = "<alice@helo.spf.test>",
    headers = { { "From", "alice@helo.spf.test" } } })
-- (miltertest shows a reply set with smfi_setreply only as a reply
-- code; milter-policy.sh reads the code and text in the log line.)
check(mt.getreply(conn) == SMFIR_REPLYCODE, "SPF would fail on the backup: refused with a reply code (Fallback)")
check(not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"), "no route is set when nothing is rerouted")

message(conn, { from = "<>", headers = { { "From", "MAILER-DAEMON@mail.example.test" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT, "a bounce (null sender): SPF of the backup's HELO name is none")
-- (with a third egress, the first alternative takes it: its HELO has no SPF)
check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Route", third and " other" or " backup"),
    "the bounce is rerouted to the first healthy alternative")
mt.disconnect(conn)

-- With three egresses: the first alternative (192.0.2.60) would fail SPF
-- for pass.spf.test, so it is skipped for the next (192.0.2.10).
if third then
	conn = open()
	message(conn, { from = "<alice@pass.spf.test>", headers = { { "From", "alice@example.test" } } })
	check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Route", " backup"),
	    "an alternative whose SPF would fail is skipped for the next one")
	mt.disconnect(conn)
end
finish()
