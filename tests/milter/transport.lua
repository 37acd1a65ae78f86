-- transport.lua - {rcpt_mailer} chooses the egress: "smtp" is the
-- healthy 192.0.2.10, "smtp-ip2" the listed 192.0.2.20.
dofile(lib)

local conn = open()
message(conn, { from = "<alice@pass.spf.test>", mailer = "smtp",
    headers = { { "From", "alice@spf.test" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT and not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"),
    "rcpt_mailer smtp: the healthy egress, accepted as it is")
message(conn, { from = "<alice@pass.spf.test>", mailer = "smtp-ip2",
    headers = { { "From", "alice@spf.test" } } })
check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Route", " main"),
    "rcpt_mailer smtp-ip2: the listed egress is judged and the message rerouted to main")
mt.disconnect(conn)
finish()
