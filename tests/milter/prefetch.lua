-- prefetch.lua - MAIL FROM and RCPT TO, a pause, then the client gives
-- up (abort): no end-of-message ever runs, so any lookup of the
-- sender's records that dns-prefetch.sh finds in the log was started
-- at MAIL FROM.
dofile(lib)

local conn = open()
must(mt.mailfrom(conn, "<alice@pass.spf.test>"), "MAIL FROM")
check(mt.getreply(conn) == SMFIR_CONTINUE, "MAIL FROM: continue at once")
must(mt.rcptto(conn, "<bob@example.net>"), "RCPT TO")
mt.sleep(1)
must(mt.abort(conn), "abort")
mt.disconnect(conn)
finish()
