package remediate

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
)

func setup(t *testing.T, n int) (*Service, *mailtest.Mailbox, mail.Listing) {
	t.Helper()
	box := mailtest.New()
	box.AddFolder("Junk", mail.RoleJunk)
	box.AddFolder("Trash", mail.RoleTrash)
	box.Generate("INBOX", n, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	log, err := audit.Open(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	l, _ := box.List(context.Background(), "INBOX", 0)
	return &Service{Audit: log, Operator: "ana", Via: "console", Batch: 3}, box, l
}

func TestMoveIsAuditedBeforeAndAfterAndUndoable(t *testing.T) {
	s, box, l := setup(t, 7)
	var steps [][2]int
	out, err := s.Do(context.Background(), Request{Account: "soc", Box: box, Action: Move, Folder: l.Folder, UIDs: l.UIDs[:5], Dest: "Junk"},
		func(d, n int) { steps = append(steps, [2]int{d, n}) })
	if err != nil || len(out.Done) != 5 || box.Count("Junk") != 5 {
		t.Fatalf("move: %+v %v", out, err)
	}
	if len(steps) != 3 || steps[0] != [2]int{0, 5} || steps[2] != [2]int{5, 5} {
		t.Fatalf("progress %v", steps)
	}
	recs, _ := s.Audit.Recent(10)
	if len(recs) != 2 || recs[1].Phase != audit.PhaseIntent || recs[0].Result != "ok" || recs[1].ID != recs[0].ID {
		t.Fatalf("records %+v", recs)
	}
	if len(recs[1].MessageIDs) != 5 || recs[1].Operator != "ana" || recs[1].Dest != "Junk" {
		t.Fatalf("intent %+v", recs[1])
	}
	if !strings.Contains(out.Summary(), "moved 5 messages to Junk") {
		t.Fatalf("summary %q", out.Summary())
	}
	undo, err := out.Undo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Do(context.Background(), undo, nil); err != nil {
		t.Fatal(err)
	}
	if box.Count("INBOX") != 7 || box.Count("Junk") != 0 {
		t.Fatalf("after undo: INBOX %d, Junk %d", box.Count("INBOX"), box.Count("Junk"))
	}
	recs, _ = s.Audit.Recent(2)
	if !strings.Contains(recs[1].Detail, "undoes "+out.AuditID) || recs[1].Folder != "Junk" || recs[1].Dest != "INBOX" {
		t.Fatalf("undo intent %+v", recs[1])
	}
}

func TestTagUndoRemovesOnlyWhatWasAdded(t *testing.T) {
	s, box, l := setup(t, 3)
	ctx := context.Background()
	kw, _ := mail.EncodeKeyword("Phish confirmed")
	if _, err := s.Do(ctx, Request{Box: box, Action: Tag, Folder: l.Folder, UIDs: l.UIDs[:1], Keyword: kw}, nil); err != nil {
		t.Fatal(err)
	}
	out, err := s.Do(ctx, Request{Box: box, Action: Tag, Folder: l.Folder, UIDs: l.UIDs, Keyword: kw}, nil)
	if err != nil {
		t.Fatal(err)
	}
	undo, err := out.Undo()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Do(ctx, undo, nil); err != nil {
		t.Fatal(err)
	}
	for i, uid := range l.UIDs {
		e, _ := box.Message("INBOX", uid)
		if has := len(e.Flags.Keywords) == 1; has != (i == 0) {
			t.Fatalf("message %d keywords %q after undo", i, e.Flags.Keywords)
		}
	}
}

func TestRefusalsChangeNothing(t *testing.T) {
	s, box, l := setup(t, 2)
	ctx := context.Background()
	s.Allow = func(a Action) error {
		if a == Delete {
			return errors.New("viewer may not delete")
		}
		return nil
	}
	if _, err := s.Do(ctx, Request{Box: box, Action: Delete, Folder: l.Folder, UIDs: l.UIDs}, nil); err == nil || box.Count("INBOX") != 2 {
		t.Fatalf("refused delete: %v, %d left", err, box.Count("INBOX"))
	}
	for _, req := range []Request{
		{Box: box, Action: Move, Folder: l.Folder, UIDs: l.UIDs},
		{Box: box, Action: Move, Folder: l.Folder, UIDs: l.UIDs, Dest: "INBOX"},
		{Box: box, Action: Tag, Folder: l.Folder, UIDs: l.UIDs, Keyword: "two words"},
		{Box: box, Action: Move, Folder: l.Folder, Dest: "Junk"},
		{Box: box, Action: "launch-missiles", Folder: l.Folder, UIDs: l.UIDs},
	} {
		if _, err := s.Do(ctx, req, nil); err == nil {
			t.Errorf("%+v accepted", req)
		}
	}
	if recs, _ := s.Audit.Recent(10); len(recs) != 0 {
		t.Fatalf("refused requests were audited as if done: %+v", recs)
	}
}

func TestServerRefusalIsAuditedAsFailed(t *testing.T) {
	s, box, l := setup(t, 2)
	box.FailNext(errors.New("server said NO [OVERQUOTA]"))
	out, err := s.Do(context.Background(), Request{Box: box, Action: Move, Folder: l.Folder, UIDs: l.UIDs, Dest: "Junk"}, nil)
	if err == nil || len(out.NotDone) != 2 {
		t.Fatalf("%+v %v", out, err)
	}
	recs, _ := s.Audit.Recent(1)
	if recs[0].Result != "failed" || !strings.Contains(recs[0].Error, "OVERQUOTA") {
		t.Fatalf("record %+v", recs[0])
	}
}

func TestPermanentDeleteIsNotUndoable(t *testing.T) {
	s, box, l := setup(t, 2)
	out, err := s.Do(context.Background(), Request{Box: box, Action: Delete, Folder: l.Folder, UIDs: l.UIDs[:1]}, nil)
	if err != nil || box.Count("INBOX") != 1 {
		t.Fatal(err)
	}
	if _, err := out.Undo(); !errors.Is(err, ErrNotUndoable) {
		t.Fatalf("undo of a permanent delete: %v", err)
	}
	if !Delete.Destructive() || Move.Destructive() {
		t.Fatal("Destructive")
	}
}
