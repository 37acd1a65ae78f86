-- sendmail.lua - the milter as Sendmail drives it (Sendmail's default
-- connect macros: j, {daemon_name}; no v): Sendmail cannot act on a
-- route header, so a listed egress gets Fallback, not a reroute.
dofile(lib)

local conn = open("198.51.100.7", false)
must(mt.macro(conn, SMFIC_MAIL, "i", "4AbCdE9", "{mail_addr}", "alice@pass.spf.test"), "macro")
message(conn, { from = "<alice@pass.spf.test>", mailer = "esmtp",
    headers = { { "From", "alice@pass.spf.test" }, { "X-Egress-Route", "backup" } } })
check(mt.getreply(conn) == SMFIR_REPLYCODE, "Sendmail, listed egress: Fallback tempfail, not a reroute")
check(not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"), "Sendmail: no route header is added")
mt.disconnect(conn)
finish()
