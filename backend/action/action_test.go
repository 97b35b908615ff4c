package action

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/demo"
)

func layer(t *testing.T) (*Layer, *audit.Log) {
	t.Helper()
	log, err := audit.Open(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return &Layer{Remedy: &remediate.Service{Audit: log, Operator: "tester", Via: "console"}}, log
}

func corpus(t *testing.T, folder, prefix string) []byte {
	t.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Folder == folder && strings.HasPrefix(m.File, prefix) {
			return m.Raw
		}
	}
	t.Fatalf("no corpus message %s/%s", folder, prefix)
	return nil
}

func TestQuestionNamesCountFolderAndDestination(t *testing.T) {
	l, _ := layer(t)
	mb := mailtest.New()
	mb.CloseEvents()
	folders := []mail.Folder{{Name: "INBOX", Role: mail.RoleInbox}, {Name: "Trash", Role: mail.RoleTrash}}
	three := Target{Account: "soc", Box: mb, Folder: mail.FolderRef{Name: "INBOX", UIDValidity: 7}, UIDs: []mail.UID{1, 2, 3}}
	one := three
	one.UIDs, one.Subject = []mail.UID{4}, "Invoice 4711"
	tests := []struct {
		t       Target
		name    Name
		dest    string
		want    string
		confirm bool
	}{
		{three, remediate.Trash, "", "Move 3 messages in INBOX to Trash?", false},
		{one, remediate.Trash, "", `Move 1 message "Invoice 4711" in INBOX to Trash?`, false},
		{three, remediate.Delete, "", "Delete 3 messages in INBOX permanently? This cannot be undone.", true},
		{one, remediate.Move, "Junk", `Move 1 message "Invoice 4711" in INBOX to Junk?`, false},
		{three, remediate.Flag, "", "Mark messages flag: 3 messages in INBOX?", false},
	}
	for _, tt := range tests {
		p, err := l.PlanMailbox(tt.t, tt.name, tt.dest, "", folders)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := p.Question(); got != tt.want {
			t.Errorf("%s: question %q, want %q", tt.name, got, tt.want)
		}
		if p.NeedsConfirm() != tt.confirm {
			t.Errorf("%s: NeedsConfirm %v", tt.name, p.NeedsConfirm())
		}
	}
	big := three
	for i := 0; i < ConfirmAbove; i++ {
		big.UIDs = append(big.UIDs, mail.UID(10+i))
	}
	if p, _ := l.PlanMailbox(big, remediate.Read, "", "", folders); !p.NeedsConfirm() {
		t.Error("an action on more than ConfirmAbove messages does not ask")
	}
}

func TestPlanRefusesWhatCannotBeDone(t *testing.T) {
	l, _ := layer(t)
	mb := mailtest.New()
	mb.CloseEvents()
	inTrash := Target{Account: "soc", Box: mb, Folder: mail.FolderRef{Name: "Trash", UIDValidity: 1}, UIDs: []mail.UID{1}}
	folders := []mail.Folder{{Name: "Trash", Role: mail.RoleTrash}}
	if _, err := l.PlanMailbox(inTrash, remediate.Trash, "", "", folders); err == nil || !strings.Contains(err.Error(), "already in Trash") {
		t.Errorf("trash from Trash: %v", err)
	}
	if _, err := l.PlanMailbox(inTrash, remediate.Trash, "", "", nil); err == nil || !strings.Contains(err.Error(), "no Trash folder") {
		t.Errorf("no Trash: %v", err)
	}
	if _, err := l.PlanMailbox(Target{Account: "soc", Box: mb, Folder: inTrash.Folder}, remediate.Read, "", "", folders); err == nil {
		t.Error("an empty target was planned")
	}
	l.Remedy.Allow = func(a remediate.Action) error { return remediate.RoleAllows(remediate.RoleViewer, a) }
	if _, err := l.PlanMailbox(inTrash, remediate.Read, "", "", folders); err == nil || !strings.Contains(err.Error(), "role viewer") {
		t.Errorf("viewer: %v", err)
	}
}

// A change refused by the role writes nothing and runs nothing; one that
// runs is audited before and after with its target.
func TestRunChecksRoleAndAudits(t *testing.T) {
	l, log := layer(t)
	mb := mailtest.New()
	mb.CloseEvents()
	uid := mb.Add("INBOX", mail.Envelope{MessageID: "<a@x>"}, []byte("Message-ID: <a@x>\r\n\r\nhi\r\n"))
	tg := Target{Account: "soc", Box: mb, Folder: mail.FolderRef{Name: "INBOX", UIDValidity: 1}, UIDs: []mail.UID{uid}}
	ran := false
	l.Remedy.Allow = func(a remediate.Action) error { return remediate.RoleAllows(remediate.RoleResponder, a) }
	err := l.Run(context.Background(), Change{Name: remediate.MimecastCreatePolicy, Detail: "policy"}, func(context.Context) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("a responder created a policy: err %v ran %v", err, ran)
	}
	if recs, _ := log.Recent(5); len(recs) != 0 {
		t.Fatalf("a refused change was audited: %+v", recs)
	}
	err = l.Run(context.Background(), Change{Name: remediate.MimecastBlockURL, Target: tg, Detail: "explicit https://evil.example/"}, func(context.Context) error { ran = true; return nil })
	if err != nil || !ran {
		t.Fatalf("block url: err %v ran %v", err, ran)
	}
	recs, _ := log.Recent(5)
	if len(recs) != 2 || recs[1].Phase != "intent" || recs[0].Result != "ok" || recs[1].Action != string(remediate.MimecastBlockURL) || !strings.Contains(recs[1].Detail, "evil.example") {
		t.Fatalf("audit %+v", recs)
	}
	if (&Layer{}).Run(context.Background(), Change{Name: remediate.Export}, func(context.Context) error { return nil }) == nil {
		t.Error("a layer without an audit log ran a change")
	}
}

// Each export writes what it says, 0600, audited, from a message fetched
// as well as from bytes the screen has, and never replaces a file unless
// asked to.
func TestExportFilesContentAndAudit(t *testing.T) {
	l, log := layer(t)
	raw := corpus(t, "INBOX", "021")
	mb := mailtest.New()
	mb.CloseEvents()
	uid := mb.Add("INBOX", mail.Envelope{}, raw)
	target := Target{Account: "soc", Box: mb, Folder: mail.FolderRef{Name: "INBOX", UIDValidity: 1}, UIDs: []mail.UID{uid}}
	dir := t.TempDir()
	ctx := context.Background()
	export := func(kind ExportKind, name string, live bool, have []byte) (string, string) {
		t.Helper()
		path := filepath.Join(dir, name)
		status, err := l.Export(ctx, ExportSpec{Kind: kind, Target: target, Path: path, Live: live, Raw: have, MaxBytes: 1 << 20})
		if err != nil {
			t.Fatalf("export %s: %v", kind, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", kind, fi.Mode().Perm())
		}
		return status, string(b)
	}
	status, out := export(ExportJSON, "m.json", false, nil)
	var x evidence.Export
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatal(err)
	}
	if x.ItemID != "soc/INBOX/1/1" || x.FolderPath != "INBOX" || x.Analysis == nil || len(x.Analysis.URLs) != 4 {
		t.Errorf("json export: item %q folder %q analysis %v", x.ItemID, x.FolderPath, x.Analysis != nil)
	}
	if !strings.Contains(status, "exported the analysis (JSON) of message 1") {
		t.Errorf("status %q", status)
	}
	status, out = export(ExportIOCs, "iocs.csv", false, nil)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "type" || !strings.Contains(out, "hxxps://rnicrosoft[.]example/") || strings.Contains(out, "https://rnicrosoft.example") {
		t.Errorf("iocs CSV not defanged:\n%s", out)
	}
	if !strings.Contains(status, "defanged, CSV") {
		t.Errorf("status %q", status)
	}
	if _, out = export(ExportIOCs, "iocs.json", true, nil); !strings.Contains(out, "https://rnicrosoft.example/") {
		t.Errorf("live iocs are defanged:\n%s", out)
	}
	if _, out = export(ExportEML, "m.eml", false, raw); out != string(raw) {
		t.Error("eml export differs from the original bytes")
	}
	before, _ := log.Recent(100)
	spec := ExportSpec{Kind: ExportEML, Target: target, Path: filepath.Join(dir, "m.eml"), Raw: raw}
	if _, err := l.Export(ctx, spec); !errors.Is(err, ErrExists) {
		t.Fatalf("second export without replace: %v, want ErrExists", err)
	}
	if after, _ := log.Recent(100); len(after) != len(before) {
		t.Errorf("a refused replace was audited: %d records, had %d", len(after), len(before))
	}
	spec.Replace = true
	if _, err := l.Export(ctx, spec); err != nil {
		t.Fatalf("replace: %v", err)
	}
	recs, _ := log.Recent(2)
	if len(recs) != 2 || recs[1].Action != string(remediate.Export) || recs[1].Folder != "INBOX" || !strings.Contains(recs[1].Detail, "m.eml") {
		t.Fatalf("export audit %+v", recs)
	}
}
