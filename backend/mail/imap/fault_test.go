package imap_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/netproxy"
)

// A proxy between the client and Dovecot cuts every connection at a random
// byte during a bulk move of up to 1,000 messages, many times over. After
// each cut: the total over both folders is unchanged, no Message-ID is in
// two places, and the transfer says exactly which messages moved.
func TestDovecotBulkMoveSurvivesCutsAnywhere(t *testing.T) {
	const total = 1000
	srv, direct := remediationServer(t, total)
	proxy := netproxy.Start(t, srv.Addr)
	m := New(Config{
		Addr:           proxy.Addr,
		TLS:            TLSNone,
		Username:       dvUser,
		Password:       func(context.Context) (string, error) { return dvPass, nil },
		DialTimeout:    3 * time.Second,
		StatusInterval: time.Hour,
	})
	t.Cleanup(func() { m.Close() })

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()
	cuts := 0
	outcomes := map[string]int{}
	for round := 0; round < 40; round++ {
		src, dst := "INBOX", "Junk"
		if len(listUIDs(t, direct, "Junk").UIDs) > len(listUIDs(t, direct, "INBOX").UIDs) {
			src, dst = dst, src
		}
		before := snapshot(t, direct)
		from := listUIDs(t, m, src)
		uids := from.UIDs
		if round%2 == 1 {
			uids = everyOther(uids) // a sparse set: many ranges
		}
		proxy.CutAfter(rng.Int64N(12000))
		tr, err := m.Move(ctx, from.Folder, uids, dst)
		if proxy.Cut() {
			cuts++
		}
		proxy.Disarm()
		after := snapshot(t, direct)
		checkNothingLost(t, round, before, after)
		checkReport(t, round, tr, err, uids, before, after, src, dst)
		outcomes[outcome(tr, err)]++
	}
	if cuts < 20 {
		t.Fatalf("only %d of 40 rounds were cut: the test did not test much", cuts)
	}
	t.Logf("%d rounds cut; outcomes %v", cuts, outcomes)
	if outcomes["moved, answer lost"] == 0 {
		t.Error("no round lost the server's answer to a move that happened: the reconciliation went untested")
	}
}

func outcome(tr mail.Transfer, err error) string {
	switch {
	case err == nil && tr.Reconciled:
		return "moved, answer lost"
	case err == nil:
		return "all moved"
	case len(tr.Done) == 0:
		return "none moved"
	}
	return "partly moved"
}

func everyOther(uids []mail.UID) []mail.UID {
	var out []mail.UID
	for i := 0; i < len(uids); i += 2 {
		out = append(out, uids[i])
	}
	return out
}

// folderState maps UID → Message-ID per folder.
type folderState map[string]map[mail.UID]string

func snapshot(t *testing.T, m *Mailbox) folderState {
	t.Helper()
	st := folderState{}
	for _, f := range []string{"INBOX", "Junk"} {
		l := listUIDs(t, m, f)
		ids, err := m.MessageIDs(context.Background(), l.Folder, l.UIDs)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != len(l.UIDs) {
			t.Fatalf("%s: %d UIDs but %d Message-IDs", f, len(l.UIDs), len(ids))
		}
		st[f] = ids
	}
	return st
}

func checkNothingLost(t *testing.T, round int, before, after folderState) {
	t.Helper()
	count := func(s folderState) int { return len(s["INBOX"]) + len(s["Junk"]) }
	if count(before) != count(after) {
		t.Fatalf("round %d: %d messages before, %d after", round, count(before), count(after))
	}
	seen := map[string]string{}
	for f, ids := range after {
		for _, id := range ids {
			if other, dup := seen[id]; dup {
				t.Fatalf("round %d: %s is in both %s and %s", round, id, other, f)
			}
			seen[id] = f
		}
	}
}

// checkReport holds the transfer to what really happened: every asked UID
// is either done (gone from the source, its Message-ID now in the
// destination) or not done (still at the source).
func checkReport(t *testing.T, round int, tr mail.Transfer, err error, asked []mail.UID, before, after folderState, src, dst string) {
	t.Helper()
	if len(tr.Done)+len(tr.NotDone) != len(asked) {
		t.Fatalf("round %d: report covers %d+%d of %d messages (err %v)", round, len(tr.Done), len(tr.NotDone), len(asked), err)
	}
	inDst := map[string]bool{}
	for _, id := range after[dst] {
		inDst[id] = true
	}
	for _, p := range tr.Done {
		id := before[src][p.Src]
		if _, still := after[src][p.Src]; still || !inDst[id] {
			t.Fatalf("round %d: UID %d reported moved, but still at source=%v, in %s=%v (err %v)", round, p.Src, still, dst, inDst[id], err)
		}
		if p.Dst != 0 && after[dst][p.Dst] != id {
			t.Fatalf("round %d: UID %d reported as %s UID %d, which is %q", round, p.Src, dst, p.Dst, after[dst][p.Dst])
		}
	}
	for _, u := range tr.NotDone {
		if _, still := after[src][u]; !still {
			t.Fatalf("round %d: UID %d reported not moved but is gone from %s", round, u, src)
		}
	}
	if len(after[dst])-len(before[dst]) != len(tr.Done) {
		t.Fatalf("round %d: %s grew by %d, report says %d moved", round, dst, len(after[dst])-len(before[dst]), len(tr.Done))
	}
	if err == nil && len(tr.NotDone) > 0 {
		t.Fatalf("round %d: %d not moved but no error", round, len(tr.NotDone))
	}
}
