package purge_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/backend/purge"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

const phishID = "<phish-7f3a@evil.example>"

func raw(id, to string) []byte {
	subject := "Your password expires"
	if id != phishID {
		subject = "Lunch on Friday"
	}
	return []byte("From: IT Helpdesk <it@evil.example>\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: " + id +
		"\r\nDate: Sun, 06 Dec 2026 09:00:00 +0000\r\n\r\nClick here.\r\n")
}

// tenant is an emulator with n extra mailboxes; copies[i] copies of the
// phish go to mailbox i's Inbox (the last one of each to Junk Email when
// junk is set), and every mailbox gets an unrelated message.
type tenant struct {
	srv   *graphtest.Server
	boxes []string
	want  map[string]int // mailbox → copies delivered
}

func newTenant(t testing.TB, n int, copies func(i int) int) *tenant {
	t.Helper()
	srv := graphtest.New()
	t.Cleanup(srv.Close)
	tn := &tenant{srv: srv, boxes: srv.AddMailboxes(n, "user", "contoso.example"), want: map[string]int{}}
	when := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for i, addr := range tn.boxes {
		box := srv.User(addr)
		box.Deliver("Inbox", raw("<other-"+addr+">", addr), when)
		for k := range copies(i) {
			box.Deliver("Inbox", raw(phishID, addr), when.Add(time.Duration(k)*time.Second))
			tn.want[addr]++
		}
	}
	return tn
}

// purger is a Graph purger for role, with its audit log.
func (tn *tenant) purger(t testing.TB, role string) (*purge.Graph, *audit.Log) {
	t.Helper()
	actions, log := cliLayer(t, role)
	token := tn.srv.MintToken()
	ten := graph.NewTenant(graph.Config{BaseURL: tn.srv.BaseURL(), Token: func(context.Context) (string, error) { return token, nil }, Concurrency: 8})
	t.Cleanup(func() { ten.Close() })
	return &purge.Graph{Tenant: ten, Actions: actions, Account: "exo", MaxWait: 5 * time.Second}, log
}

// cliLayer is the action layer of a command-line user with role, and its
// audit log (in a directory of the test's own, closed when it ends).
func cliLayer(t testing.TB, role string) (*action.Layer, *audit.Log) {
	t.Helper()
	log, err := audit.Open(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	svc := &remediate.Service{Audit: log, Operator: "tester", Via: "cli", Allow: func(a remediate.Action) error { return remediate.RoleAllows(role, a) }}
	return &action.Layer{Remedy: svc}, log
}

// found maps each mailbox of the plan to its number of copies.
func found(p *purge.Plan) map[string]int {
	out := map[string]int{}
	for _, b := range p.Boxes {
		out[b.Mailbox] = len(b.Copies)
		seen := map[string]bool{}
		for _, c := range b.Copies {
			if seen[c.ID] {
				panic("a copy listed twice: " + c.ID)
			}
			seen[c.ID] = true
		}
	}
	return out
}

func sameCounts(t *testing.T, got, want map[string]int) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d copies found, want %d", k, got[k], v)
		}
	}
	for k, v := range got {
		if want[k] == 0 {
			t.Errorf("%s: %d copies found, want none", k, v)
		}
	}
}

// inFolder counts the phish's copies in a mailbox's folder.
func (tn *tenant) inFolder(addr, folder string) int {
	n := 0
	for _, m := range tn.srv.User(addr).Messages(folder) {
		if m.Subject == "Your password expires" {
			n++
		}
	}
	return n
}

// movesOf counts the move or delete sub-requests each message got.
func (tn *tenant) touches() map[string]int {
	out := map[string]int{}
	for _, addr := range tn.boxes {
		for _, r := range tn.srv.User(addr).Requests() {
			if strings.HasSuffix(r, "/move") || strings.HasSuffix(r, "/permanentDelete") {
				out[r]++
			}
		}
	}
	return out
}

func TestPlanFindsEveryCopyAcrossMailboxes(t *testing.T) {
	tn := newTenant(t, 250, func(i int) int { return []int{0, 1, 0, 3}[i%4] })
	// Throttling here and there: one mailbox refuses its next two
	// requests with Retry-After, and no mailbox takes more than 4 at once.
	tn.srv.User(tn.boxes[3]).Throttle(2, 1)
	// And one whole request (the first: the user listing) is throttled.
	tn.srv.Throttle(1, 1)
	g, _ := tn.purger(t, remediate.RoleResponder)
	var last purge.Progress
	g.Progress = func(p purge.Progress) { last = p }
	p, err := g.Plan(context.Background(), strings.Trim(phishID, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	sameCounts(t, found(p), tn.want)
	if !p.Complete() || p.Searched != 251 || p.Copies() != 249 {
		t.Fatalf("plan: %s, complete %v", p.Summary(), p.Complete())
	}
	if last.Phase != "search" || last.Done != 251 || last.Total != 251 {
		t.Fatalf("last progress %+v", last)
	}
	if n := tn.srv.TenantMaxInFlight(); n > 4 {
		t.Fatalf("%d requests at once against one mailbox", n)
	}
	for _, b := range p.Boxes {
		for _, c := range b.Copies {
			if len(c.Recipients) != 1 || c.Recipients[0] != b.Mailbox || c.Received.IsZero() {
				t.Fatalf("copy %+v of %s: recipient or time missing", c, b.Mailbox)
			}
		}
	}
	// 251 mailboxes in $batch requests of 20: 13, plus the user pages
	// and the throttled mailbox's retries.
	if n := tn.srv.HTTPRequests(); n > 20 {
		t.Fatalf("%d HTTP requests for 251 mailboxes", n)
	}
}

func TestFailingMailboxesAreListedAndRetried(t *testing.T) {
	tn := newTenant(t, 40, func(i int) int { return 1 })
	tn.srv.User(tn.boxes[5]).SetFault(http.StatusForbidden)
	tn.srv.User(tn.boxes[9]).SetFault(http.StatusNotFound)
	g, _ := tn.purger(t, remediate.RoleResponder)
	p, err := g.Plan(context.Background(), phishID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Complete() || len(p.Failed) != 2 || p.Copies() != 38 {
		t.Fatalf("plan %s, failed %+v", p.Summary(), p.Failed)
	}
	statuses := []int{p.Failed[0].Status, p.Failed[1].Status}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{403, 404}) {
		t.Fatalf("failures %+v", p.Failed)
	}
	tn.srv.User(tn.boxes[5]).SetFault(0)
	tn.srv.User(tn.boxes[9]).SetFault(0)
	tn.srv.ResetTenantCounts()
	if err := g.Continue(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	sameCounts(t, found(p), tn.want)
	if !p.Complete() {
		t.Fatalf("after retry: %s", p.Summary())
	}
	// Only the two that failed were asked again.
	asked := 0
	for _, addr := range tn.boxes {
		asked += len(tn.srv.User(addr).Requests())
	}
	if asked != 2 {
		t.Fatalf("%d mailbox requests on retry, want 2", asked)
	}
}

func TestInterruptedPlanContinuesWithoutAskingAgain(t *testing.T) {
	tn := newTenant(t, 120, func(i int) int { return i % 2 })
	tn.srv.SetTenantServiceTime(5 * time.Millisecond)
	g, _ := tn.purger(t, remediate.RoleResponder)
	g.Batches = 1
	ctx, cancel := context.WithCancel(context.Background())
	g.Progress = func(p purge.Progress) {
		if p.Phase == "search" && p.Done == 40 {
			cancel()
		}
	}
	p, err := g.Plan(ctx, phishID)
	if !errors.Is(err, context.Canceled) || len(p.Todo) == 0 || p.Searched < 40 {
		t.Fatalf("interrupted plan: %v; %s, %d to do", err, p.Summary(), len(p.Todo))
	}
	before := map[string]int{}
	for _, addr := range tn.boxes {
		before[addr] = len(tn.srv.User(addr).Requests())
	}
	g.Progress = nil
	if err := g.Continue(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	sameCounts(t, found(p), tn.want)
	for _, addr := range tn.boxes {
		if n := len(tn.srv.User(addr).Requests()); n > 1 {
			t.Fatalf("%s asked %d times (%d before the interruption)", addr, n, before[addr])
		}
	}
}

func TestSoftPurgeUndoAndIdempotentReapply(t *testing.T) {
	tn := newTenant(t, 30, func(i int) int { return i % 3 })
	g, log := tn.purger(t, remediate.RoleResponder)
	p, err := g.Plan(context.Background(), phishID)
	if err != nil {
		t.Fatal(err)
	}
	total := p.Copies()
	// One copy's mailbox refuses the move the first time.
	flaky := p.Boxes[0].Mailbox
	tn.srv.User(flaky).SetFault(http.StatusForbidden)
	res, err := g.Apply(context.Background(), p, purge.Soft)
	if err == nil || len(res.Failed) != 1 || res.Failed[0].Mailbox != flaky || res.Done != total-len(p.Boxes[0].Copies) {
		t.Fatalf("first apply: %+v, %v", res, err)
	}
	tn.srv.User(flaky).SetFault(0)
	res, err = g.Apply(context.Background(), p, purge.Soft)
	if err != nil || res.Done != len(p.Boxes[0].Copies) || res.Already != total-res.Done {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	for addr, n := range tn.want {
		if tn.inFolder(addr, "Inbox") != 0 || tn.inFolder(addr, "Deletions") != n {
			t.Fatalf("%s: %d left in Inbox, %d in Recoverable Items, want 0 and %d", addr, tn.inFolder(addr, "Inbox"), tn.inFolder(addr, "Deletions"), n)
		}
	}
	for r, n := range tn.touches() {
		if n > 1 {
			t.Fatalf("%s sent %d times", r, n)
		}
	}
	if len(tn.touches()) != total {
		t.Fatalf("%d copies moved, want %d", len(tn.touches()), total)
	}
	// A fresh search no longer sees them (Recoverable Items is not
	// searched), so nothing can be purged twice that way either.
	again, err := g.Plan(context.Background(), phishID)
	if err != nil || again.Copies() != 0 {
		t.Fatalf("plan after purge: %s, %v", again.Summary(), err)
	}
	res, err = g.Undo(context.Background(), p)
	if err != nil || res.Done != total {
		t.Fatalf("undo: %+v, %v", res, err)
	}
	for addr, n := range tn.want {
		if tn.inFolder(addr, "Inbox") != n || tn.inFolder(addr, "Deletions") != 0 {
			t.Fatalf("%s after undo: %d in Inbox, want %d", addr, tn.inFolder(addr, "Inbox"), n)
		}
	}
	// One intent and one result per mailbox and attempt, each naming
	// the mailbox.
	recs, err := log.Recent(1000)
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]int{}
	for _, r := range recs {
		if r.Phase == audit.PhaseResult {
			results[r.Action+" "+r.Result]++
		}
		if !strings.Contains(r.Detail, "mailbox ") && r.Phase == audit.PhaseIntent {
			t.Fatalf("intent without its mailbox: %+v", r)
		}
	}
	boxes := len(p.Boxes)
	want := map[string]int{"purge-soft failed": 1, "purge-soft ok": boxes, "purge-undo ok": boxes}
	if fmt.Sprint(results) != fmt.Sprint(want) {
		t.Fatalf("audit results %v, want %v", results, want)
	}
}

func TestJunkLeavesCopiesAlreadyInJunk(t *testing.T) {
	tn := newTenant(t, 6, func(i int) int { return 1 })
	already := tn.boxes[2]
	tn.srv.User(already).Deliver("Junk Email", raw(phishID, already), time.Now())
	tn.want[already]++
	g, _ := tn.purger(t, remediate.RoleResponder)
	p, err := g.Plan(context.Background(), phishID)
	if err != nil {
		t.Fatal(err)
	}
	sameCounts(t, found(p), tn.want)
	res, err := g.Apply(context.Background(), p, purge.Junk)
	if err != nil || res.Done != 6 || res.Already != 1 {
		t.Fatalf("junk: %+v, %v", res, err)
	}
	if n := len(tn.touches()); n != 6 {
		t.Fatalf("%d moves, want 6 (the copy already in Junk left alone)", n)
	}
	if _, err := g.Undo(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if tn.inFolder(already, "Junk Email") != 1 || tn.inFolder(already, "Inbox") != 1 {
		t.Fatal("undo moved the copy that was in Junk before")
	}
}

func TestHardPurgeNeedsAdmin(t *testing.T) {
	tn := newTenant(t, 4, func(i int) int { return 1 })
	g, log := tn.purger(t, remediate.RoleResponder)
	p, err := g.Plan(context.Background(), phishID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Apply(context.Background(), p, purge.Hard); err == nil || !strings.Contains(err.Error(), "may not") {
		t.Fatalf("responder hard purge: %v", err)
	}
	if recs, _ := log.Recent(10); len(recs) != 0 || len(tn.touches()) != 0 {
		t.Fatalf("a refused purge touched %d copies, wrote %d records", len(tn.touches()), len(recs))
	}
	admin, _ := tn.purger(t, remediate.RoleAdmin)
	res, err := admin.Apply(context.Background(), p, purge.Hard)
	if err != nil || res.Done != 4 {
		t.Fatalf("admin hard purge: %+v, %v", res, err)
	}
	for _, addr := range tn.boxes {
		if tn.inFolder(addr, "Inbox")+tn.inFolder(addr, "Deletions") != 0 {
			t.Fatalf("%s still holds a copy", addr)
		}
	}
	if res, err := admin.Undo(context.Background(), p); err != nil || res.Done != 0 {
		t.Fatalf("undo of a hard purge: %+v, %v", res, err)
	}
}

func TestNormalizeIDRefusesHostileIDs(t *testing.T) {
	for _, bad := range []string{"", "<>", "a b@c", "x\x1b[31m@y", strings.Repeat("a", 1000)} {
		if _, err := purge.NormalizeID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if id, err := purge.NormalizeID("it's@evil.example"); err != nil || id != "<it's@evil.example>" {
		t.Fatalf("%q, %v", id, err)
	}
}

// A whole $batch refused (throttled longer than the client waits) fails
// its twenty mailboxes, which are listed and asked again by Continue.
func TestRefusedBatchFailsItsMailboxesForRetry(t *testing.T) {
	tn := newTenant(t, 59, func(i int) int { return 1 })
	g, _ := tn.purger(t, remediate.RoleResponder)
	token := tn.srv.MintToken()
	g.Tenant = graph.NewTenant(graph.Config{BaseURL: tn.srv.BaseURL(), Token: func(context.Context) (string, error) { return token, nil }, MaxRetryWait: time.Second, Concurrency: 1})
	g.Batches = 1
	g.Progress = func(p purge.Progress) {
		if p.Phase == "list" {
			tn.srv.Throttle(1, 30) // the first $batch
		}
	}
	p, err := g.Plan(context.Background(), phishID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Failed) != 20 || p.Searched != 40 || p.Complete() {
		t.Fatalf("plan: %s, %d failed", p.Summary(), len(p.Failed))
	}
	g.Progress = nil
	if err := g.Continue(context.Background(), p); err != nil || !p.Complete() {
		t.Fatalf("continue: %v, %s", err, p.Summary())
	}
	sameCounts(t, found(p), tn.want)
}

// Mail from one of our own domains is purged only once the analyst has
// typed the domain; the override is in the audit records.
func TestGuardStopsPurgeOfInternalMailUntilTyped(t *testing.T) {
	tn := newTenant(t, 5, func(i int) int { return 1 })
	g, log := tn.purger(t, remediate.RoleResponder)
	g.Guard = purge.Guard{Internal: []string{"Evil.Example"}}
	p, err := g.Plan(context.Background(), phishID)
	if err != nil || !slices.Equal(p.Senders(), []string{"it@evil.example"}) {
		t.Fatalf("plan: %v, senders %v", err, p.Senders())
	}
	_, err = g.Apply(context.Background(), p, purge.Soft)
	var ge *purge.GuardError
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "internal domain") {
		t.Fatalf("apply: %v", err)
	}
	if recs, _ := log.Recent(10); len(recs) != 0 || len(tn.touches()) != 0 {
		t.Fatal("a stopped purge touched something")
	}
	g.Confirm = "other.example"
	if _, err := g.Apply(context.Background(), p, purge.Soft); !errors.As(err, &ge) {
		t.Fatalf("wrong domain typed: %v", err)
	}
	g.Confirm = "evil.example"
	if res, err := g.Apply(context.Background(), p, purge.Soft); err != nil || res.Done != 5 {
		t.Fatalf("confirmed: %+v, %v", res, err)
	}
	recs, _ := log.Recent(10)
	intents := 0
	for _, r := range recs {
		if r.Phase == audit.PhaseIntent {
			intents++
			if !strings.Contains(r.Detail, "guardrail overridden by typing evil.example") {
				t.Fatalf("intent without the override: %+v", r)
			}
		}
	}
	if intents != 5 {
		t.Fatalf("%d intents, want 5", intents)
	}
}
