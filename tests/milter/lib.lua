-- lib.lua - helpers for the miltertest scripts (loaded with dofile):
-- check() prints "PASS: ..." or "FAIL: ..." for tests/run-tests;
-- must() stops the script when a protocol step fails; message() sends
-- one message and leaves the end-of-message reply to be checked.

failed = 0
function check(ok, what)
	if ok then
		mt.echo("PASS: " .. what)
	else
		mt.echo("FAIL: " .. what)
		failed = failed + 1
	end
end
function must(err, what)
	if err ~= nil then
		mt.echo("FAIL: " .. what .. ": " .. tostring(err))
		error(what)
	end
end
-- open(client, mta): MTA is the v macro Postfix sends at connect
-- ("Postfix 3.7.11" unless given; false for none, as Sendmail).
function open(client, mta)
	local conn = mt.connect(socket, 40, 0.25)
	if conn == nil then
		mt.echo("FAIL: connect to the milter at " .. socket)
		error("connect")
	end
	must(mt.negotiate(conn, nil, nil, nil), "negotiate")
	if mta == false then
		must(mt.macro(conn, SMFIC_CONNECT, "{client_addr}", client or "198.51.100.7",
		    "j", "mx.example.test", "{daemon_name}", "MTA"), "macro")
	else
		must(mt.macro(conn, SMFIC_CONNECT, "{client_addr}", client or "198.51.100.7",
		    "v", mta or "Postfix 3.7.11"), "macro")
	end
	must(mt.conninfo(conn, "client.example.test", client or "198.51.100.7"), "conninfo")
	must(mt.helo(conn, "client.example.test"), "helo")
	return conn
end
-- message(conn, {from=, rcpt=, mailer=, headers={{name, value}, ...}, body=})
function message(conn, m)
	must(mt.mailfrom(conn, m.from), "MAIL FROM " .. m.from)
	if m.mailer then
		must(mt.macro(conn, SMFIC_RCPT, "{rcpt_mailer}", m.mailer), "macro")
	end
	must(mt.rcptto(conn, m.rcpt or "<bob@example.net>"), "RCPT TO")
	for _, h in ipairs(m.headers or {}) do
		must(mt.header(conn, h[1], h[2]), "header " .. h[1])
	end
	must(mt.eoh(conn), "eoh")
	must(mt.bodystring(conn, m.body or "Hello.\r\n"), "body")
	must(mt.eom(conn), "eom")
end
function finish()
	if failed > 0 then
		error(failed .. " checks failed")
	end
end
