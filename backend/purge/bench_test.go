package purge_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/purge"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

// BenchmarkPurge10kMailboxesRTT50ms is a purge across a tenant of 10,000
// mailboxes of which 250 hold the phish (300 copies: every 40th mailbox
// one, every 200th a second), behind a proxy adding 50 ms of round-trip
// time, with a warm token: the plan (list the users, ask every mailbox),
// the soft purge and its undo. It reports each phase's time, the HTTP
// requests the emulator received and the copies missed.
func BenchmarkPurge10kMailboxesRTT50ms(b *testing.B) { benchPurge10k(b, 25*time.Millisecond) }

// BenchmarkPurge10kMailboxesLoopback is the same without added latency:
// what the emulator and the client cost on this machine.
func BenchmarkPurge10kMailboxesLoopback(b *testing.B) { benchPurge10k(b, 0) }

// benchPurge10k runs the benchmark with latency added each way.
func benchPurge10k(b *testing.B, latency time.Duration) {
	copies := func(i int) int {
		n := 0
		if i%40 == 0 {
			n++
		}
		if i%200 == 0 {
			n++
		}
		return n
	}
	tn := newTenant(b, 9999, copies) // and the emulator's own mailbox: 10,000
	want := 0
	for _, n := range tn.want {
		want += n
	}
	if want != 300 {
		b.Fatalf("seeded %d copies, want 300", want)
	}
	proxy := netproxy.Start(b, strings.TrimPrefix(tn.srv.URL(), "http://"))
	proxy.SetLatency(latency)
	g, _ := tn.purger(b, remediate.RoleResponder)
	token := tn.srv.MintToken()
	g.Tenant = graph.NewTenant(graph.Config{BaseURL: "http://" + proxy.Addr + "/v1.0", Token: func(context.Context) (string, error) { return token, nil }})
	var planTime, applyTime, undoTime time.Duration
	var planReq, applyReq, missed int
	for b.Loop() {
		ctx := context.Background()
		tn.srv.ResetCounts()
		start := time.Now()
		p, err := g.Plan(ctx, phishID)
		planTime, planReq = time.Since(start), tn.srv.HTTPRequests()
		if err != nil || !p.Complete() || p.Searched != 10000 {
			b.Fatalf("plan: %v, %s", err, p.Summary())
		}
		missed = want - p.Copies()
		tn.srv.ResetCounts()
		start = time.Now()
		res, err := g.Apply(ctx, p, purge.Soft)
		applyTime, applyReq = time.Since(start), tn.srv.HTTPRequests()
		if err != nil || res.Done != want {
			b.Fatalf("apply: %+v, %v", res, err)
		}
		for addr, n := range tn.want {
			if got := tn.inFolder(addr, "Deletions"); got != n {
				b.Fatalf("%s: %d copies purged, want %d", addr, got, n)
			}
		}
		start = time.Now()
		if res, err := g.Undo(ctx, p); err != nil || res.Done != want {
			b.Fatalf("undo: %+v, %v", res, err)
		}
		undoTime = time.Since(start)
	}
	b.ReportMetric(planTime.Seconds(), "plan-s")
	b.ReportMetric(float64(planReq), "plan-requests")
	b.ReportMetric(applyTime.Seconds(), "apply-s")
	b.ReportMetric(float64(applyReq), "apply-requests")
	b.ReportMetric(undoTime.Seconds(), "undo-s")
	b.ReportMetric(float64(missed), "missed")
	b.ReportMetric(float64(tn.srv.TenantMaxInFlight()), "max-at-once-per-mailbox")
	b.ReportMetric(float64(tn.srv.TenantConcurrencyRefusals()), "refused-429")
}
