-- routing.lua - the milter beside the route map (tests/milter/routing.sh):
-- phase "map": egress a is refused, b healthy; phase "allrefused": both
-- refused; phase "header": no MapSocket, egress a listed.
dofile(lib)

local function msg(conn, mailer, rcpt)
	message(conn, { from = "<alice@both.route.test>", mailer = mailer,
	    rcpt = rcpt, headers = { { "From", "alice@both.route.test" } } })
end

local conn = open()
if phase == "map" then
	msg(conn, "smtp-a")
	check(mt.getreply(conn) == SMFIR_ACCEPT and
	    not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"),
	    "map mode: a refused egress: accepted, no route header (the route map routes it)")
	msg(conn, "local", "<boss@internal.test>")
	check(mt.getreply(conn) == SMFIR_ACCEPT and
	    not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"),
	    "map mode: rcpt_mailer local: accepted as it is")
elseif phase == "allrefused" then
	msg(conn, "smtp-a")
	check(mt.getreply(conn) == SMFIR_REPLYCODE,
	    "map mode: every egress refused: refused with a reply code (tempfail)")
	msg(conn, "relay", "<boss@internal.test>")
	check(mt.getreply(conn) == SMFIR_ACCEPT,
	    "map mode: every egress refused, rcpt_mailer relay: accepted (not judged)")
else
	msg(conn, "relay", "<boss@internal.test>")
	check(mt.getreply(conn) == SMFIR_ACCEPT and
	    not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"),
	    "header mode: rcpt_mailer relay: accepted, not rerouted")
	msg(conn, "smtp-a")
	check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Route", " b"),
	    "header mode: rcpt_mailer smtp-a (listed): rerouted to b")
end
mt.disconnect(conn)
finish()
