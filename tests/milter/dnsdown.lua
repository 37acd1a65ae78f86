-- dnsdown.lua - no DNS server answers: the message is accepted (a DNS
-- failure never makes mail bounce or wait by default).
dofile(lib)

local conn = open()
message(conn, { from = "<alice@pass.spf.test>", headers = { { "From", "alice@example.test" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT, "DNS down: the message is accepted")
check(not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"), "DNS down: no reroute")
mt.disconnect(conn)
finish()
