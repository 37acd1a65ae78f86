# table.awk - the tables of "make bench" from tests/bench/run.sh's result
# lines ("PEER MODE CONCURRENCY key=value ..."), with ratios to the no-op
# milter (the floor) of the same mode and concurrency, and the targets.
function val(key,    i, kv) {
	for (i = 4; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == key)
			return kv[2] + 0
	}
	return 0
}
function max(a, b) { return a > b ? a : b }
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in runs)) {
		order[++n] = k
	}
	runs[k]++
	msgs[k] += val("messages"); secs[k] += val("secs")
	p50[k] += val("p50"); p95[k] += val("p95"); p99[k] += val("p99")
	rss[k] = max(rss[k], val("rss_kb")); thr[k] = max(thr[k], val("threads"))
	errs[k] += val("errors"); acc[k] += val("accept")
	tf[k] += val("tempfail"); rej[k] += val("reject"); oth[k] += val("other")
	recon[k] += val("reconnects")
	r = secs[k] > 0 ? val("messages") / val("secs") : 0
	if (runs[k] == 1 || r < lo[k])
		lo[k] = r
	hi[k] = max(hi[k], r)
}
function rate(k) { return secs[k] > 0 ? msgs[k] / secs[k] : 0 }
function avg(a, k) { return a[k] / runs[k] }
function floor_of(k,    f) {
	split(k, f, SUBSEP)
	if (f[2] == "e2e")
		return "postfix+noop" SUBSEP "e2e" SUBSEP f[3]
	if (f[2] == "dns-down")
		return "noop" SUBSEP "warm" SUBSEP f[3]
	return "noop" SUBSEP f[2] SUBSEP f[3]
}
function ratio(k,    fk) {
	fk = floor_of(k)
	return (k in runs) && rate(fk) > 0 ? sprintf("%.2f", rate(k) / rate(fk)) : "-"
}
# A target is judged only when its rows were measured in this run
# (BENCH_PARTS, BENCH_CONC and the peer lists can leave them out).
function target(what, ok, measured) {
	printf "  %-66s %s\n", what, !measured ? "not measured" : ok ? "met" : "NOT met"
}
function both(a, b) { return (a in runs) && (b in runs) }
END {
	print ""
	print "Protocol level (milterload: milter protocol 6, one message per connection, 12 headers, 4 KB body)"
	print ""
	print "| mode | conc | peer | msgs/s | x floor | EOM p50 ms | p95 ms | p99 ms | p99 - floor ms | peak RSS MB | threads | verdicts |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, f, SUBSEP)
		if (f[2] == "e2e" || f[2] == "map")
			continue
		fk = floor_of(k)
		printf "| %s | %s | %s | %.0f | %s | %.2f | %.2f | %.2f | %+.2f | %.1f | %d | %d accepted, %d tempfailed, %d rejected, %d errors |\n",
		    f[2], f[3], f[1], rate(k), ratio(k), avg(p50, k), avg(p95, k),
		    avg(p99, k), avg(p99, k) - ((fk in runs) ? avg(p99, fk) : 0),
		    rss[k] / 1024, thr[k], acc[k], tf[k], rej[k], errs[k]
	}
	print ""
	print "End to end (smtp-source -s 20, one 4 KB message per session -> private Postfix -> smtp-sink)"
	print ""
	print "| setup | msgs/s | per round | x postfix+noop |"
	print "|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, f, SUBSEP)
		if (f[2] != "e2e")
			continue
		printf "| %s | %.0f | %.0f-%.0f (%d rounds) | %s |\n", f[1], rate(k),
		    lo[k], hi[k], runs[k], ratio(k)
	}
	print ""
	print "Route map (MapSocket: mapload, one persistent connection, one lookup at a time, warm)"
	print ""
	print "| peer | lookups/s | p50 ms | p95 ms | p99 ms | replies |"
	print "|---|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, f, SUBSEP)
		if (f[2] != "map")
			continue
		printf "| %s | %.0f | %.3f | %.3f | %.3f | %d OK, %d TEMP, %d NOTFOUND, %d errors, %d reconnects |\n",
		    f[1], rate(k), avg(p50, k), avg(p95, k), avg(p99, k), acc[k], tf[k],
		    oth[k], errs[k], recon[k]
	}
	print ""
	print "Targets"
	W = SUBSEP "warm" SUBSEP
	for (c = 1; c <= 50; c += 49) {
		fk = "noop" W c
		for (nd = 0; nd <= 1; nd++) {
			sfx = nd ? "+nd" : ""
			how = nd ? ", TCP_NODELAY forced" : ", as built"
			k = "em-accept" sfx W c
			target("warm c=" c how ": accepting >= 0.95 x the floor (" ratio(k) ")",
			    rate(k) >= 0.95 * rate(fk), both(k, fk))
			d = both(k, fk) ? sprintf("%+.2f ms", avg(p99, k) - avg(p99, fk)) : "-"
			target(sprintf("warm c=%d%s: EOM p99 within 1 ms of the floor's (%s)",
			    c, how, d), both(k, fk) && avg(p99, k) - avg(p99, fk) <= 1, both(k, fk))
			k = "em-route" sfx W c
			target("warm c=" c how ": route header >= 0.9 x the floor (" ratio(k) ")",
			    rate(k) >= 0.9 * rate(fk), both(k, fk))
		}
	}
	k = "postfix+egress-milter" SUBSEP "e2e" SUBSEP 20
	target("end to end: Postfix + egress-milter >= 0.95 x Postfix + no-op (" ratio(k) ")",
	    rate(k) >= 0.95 * rate(floor_of(k)), both(k, floor_of(k)))
	# egress-milter adding its header against OpenDMARC adding its own,
	# as built and both with TCP_NODELAY forced.
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, f, SUBSEP)
		if (f[1] !~ /^opendmarc/)
			continue
		ek = (f[1] ~ /\+nd$/ ? "em-route+nd" : "em-route") SUBSEP f[2] SUBSEP f[3]
		target(sprintf("%s c=%s: %s %.0f msgs/s faster than %s %.0f", f[2], f[3],
		    (f[1] ~ /\+nd$/ ? "em-route+nd" : "em-route"), rate(ek), f[1], rate(k)),
		    rate(ek) > rate(k), both(ek, k))
	}
	# The larger of the two egress-milter peers measured.
	k = "em-accept" W 1000; k2 = "em-route" W 1000
	r = max(rss[k], rss[k2]); m = (k in runs) || (k2 in runs)
	d = m ? sprintf("%.1f MB", r / 1024) : "-"
	target("1000 connections: peak RSS <= 32 MB (" d ")", r > 0 && r <= 32 * 1024, m)
	k = "em-dnsdown" SUBSEP "dns-down" SUBSEP 50
	m = k in runs
	d = m ? sprintf("%.0f ms", avg(p99, k)) : "-"
	target("DNS down: EOM p99 <= MessageDNSBudget 2000 + 5 ms (" d ")", m && avg(p99, k) <= 2005, m)
}
