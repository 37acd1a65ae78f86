-- basic.lua - the milter protocol: a normal message is accepted; a
-- client-supplied route header (any case, several copies) is deleted;
-- two messages in one connection; an aborted message; a null sender.
-- Run with: miltertest -D socket=inet:PORT@127.0.0.1 -D lib=tests/milter/lib.lua
--     [-D header=NAME] -s basic.lua
-- Each check prints "PASS: ..." or "FAIL: ..." for tests/run-tests.

dofile(lib)

local route = header or "X-Egress-Route"

local conn = mt.connect(socket, 40, 0.25)
if conn == nil then
	mt.echo("FAIL: connect to the milter at " .. socket)
	error("connect")
end
must(mt.negotiate(conn, nil, nil, nil), "negotiate")
check(mt.test_action(conn, SMFIF_CHGHDRS), "negotiates changing headers")
check(mt.test_action(conn, SMFIF_ADDHDRS), "negotiates adding headers")
check(mt.test_action(conn, SMFIF_QUARANTINE), "negotiates quarantine")
check(not mt.test_action(conn, SMFIF_CHGBODY), "does not ask to change bodies")
check(not mt.test_action(conn, SMFIF_ADDRCPT), "does not ask to add recipients")

must(mt.macro(conn, SMFIC_CONNECT, "{client_addr}", "198.51.100.7"), "macro")
must(mt.conninfo(conn, "client.example.test", "198.51.100.7"), "conninfo")
check(mt.getreply(conn) == SMFIR_CONTINUE, "connect: continue")
must(mt.helo(conn, "client.example.test"), "helo")

-- Message 1: a normal message is accepted and nothing is changed.
must(mt.mailfrom(conn, "<alice@example.test>"), "mailfrom")
check(mt.getreply(conn) == SMFIR_CONTINUE, "MAIL FROM: continue")
must(mt.macro(conn, SMFIC_RCPT, "i", "4AbCdE1"), "macro i")
must(mt.rcptto(conn, "<bob@example.net>"), "rcptto")
check(mt.getreply(conn) == SMFIR_CONTINUE, "RCPT TO: continue")
must(mt.header(conn, "From", "Alice <alice@example.test>"), "header")
must(mt.header(conn, "Subject", "hello"), "header")
must(mt.eoh(conn), "eoh")
must(mt.bodystring(conn, "hello\r\n"), "body")
must(mt.eom(conn), "eom")
check(mt.getreply(conn) == SMFIR_ACCEPT, "a normal message is accepted")
check(not mt.eom_check(conn, MT_HDRDELETE), "a normal message keeps its headers")

-- Message 2, same connection: two spoofed route headers are deleted.
must(mt.mailfrom(conn, "<mallory@example.test>"), "mailfrom 2")
must(mt.rcptto(conn, "<bob@example.net>"), "rcptto 2")
must(mt.header(conn, route, "backup"), "header")
must(mt.header(conn, "Subject", "choose my own route"), "header")
must(mt.header(conn, string.lower(route), "primary"), "header")
must(mt.eoh(conn), "eoh 2")
must(mt.bodystring(conn, "x\r\n"), "body 2")
must(mt.eom(conn), "eom 2")
check(mt.getreply(conn) == SMFIR_ACCEPT, "a message with a spoofed route header is accepted")
check(mt.eom_check(conn, MT_HDRDELETE, route), "the spoofed route header is deleted")

-- Message 3: aborted after a spoofed header; message 4 must not inherit it.
must(mt.mailfrom(conn, "<carol@example.test>"), "mailfrom 3")
must(mt.rcptto(conn, "<bob@example.net>"), "rcptto 3")
must(mt.header(conn, route, "backup"), "header 3")
must(mt.abort(conn), "abort")
must(mt.mailfrom(conn, "<>"), "null sender")
check(mt.getreply(conn) == SMFIR_CONTINUE, "the null sender: continue")
must(mt.rcptto(conn, "<bob@example.net>"), "rcptto 4")
must(mt.header(conn, "Subject", "bounce"), "header 4")
must(mt.eom(conn), "eom 4")
check(mt.getreply(conn) == SMFIR_ACCEPT, "a message after an abort is accepted")
check(not mt.eom_check(conn, MT_HDRDELETE), "an aborted message's headers do not leak into the next")

mt.disconnect(conn)
finish()
