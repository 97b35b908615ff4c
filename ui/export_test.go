package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/ui/uitest"
)

func TestParseExport(t *testing.T) {
	tests := []struct {
		arg     string
		want    exportReq
		wantErr string
	}{
		{arg: "json /tmp/a.json", want: exportReq{kind: "json", path: "/tmp/a.json"}},
		{arg: "iocs --raw /tmp/a.csv", want: exportReq{kind: "iocs", path: "/tmp/a.csv", raw: true}},
		{arg: "eml --force /tmp/my file.eml", want: exportReq{kind: "eml", path: "/tmp/my file.eml", force: true}},
		{arg: "json", wantErr: "usage"},
		{arg: "pdf /tmp/x", wantErr: "usage"},
		{arg: "eml --raw /tmp/x", wantErr: "--raw only applies"},
	}
	for _, tt := range tests {
		got, err := parseExport(tt.arg)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseExport(%q) error %v, want %q", tt.arg, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("parseExport(%q): %v", tt.arg, err)
		case got != tt.want:
			t.Errorf("parseExport(%q) = %+v, want %+v", tt.arg, got, tt.want)
		}
	}
}

// :export from the message screen of the running console writes the open
// message's indicators and says so in the status bar.
func TestExportCommandFromMessageScreen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iocs.csv")
	tm := start(t, 120, 40, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, "G", "k", "k", "enter")
	uitest.WaitModel(t, tm, "message read", func(m tea.Model) bool {
		_, ok := root(m).message.Current()
		return root(m).screen == screenMessage && ok
	})
	keys(tm, ":")
	tm.Type("export iocs " + path)
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "export done", func(m tea.Model) bool { return strings.Contains(root(m).flash, "exported") || root(m).flashErr })
	out := screenOf(t, tm)
	if !strings.Contains(out, "exported") || !strings.Contains(out, "indicators (defanged, CSV)") {
		t.Fatalf("status bar:\n%s", out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "type,value,context\n") || !strings.Contains(string(b), "sender,") {
		t.Fatalf("iocs file:\n%s", b)
	}
}

// From the list, :export takes the message under the cursor.
func TestExportCommandFromMailbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.eml")
	tm := start(t, 120, 40, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("export eml " + path)
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "export done", func(m tea.Model) bool { return strings.Contains(root(m).flash, "exported") || root(m).flashErr })
	out := screenOf(t, tm)
	if !strings.Contains(out, "exported the original message") {
		t.Fatalf("status bar:\n%s", out)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "Subject:") {
		t.Fatalf("eml file: %v\n%s", err, b)
	}
}

// :export json on a report exports the reported original's analysis with
// the report as context.
func TestExportOfAReportCarriesTheReportAsContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.json")
	tm := openReports(t)
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "report open", func(m tea.Model) bool {
		_, ok := root(m).message.Current()
		return root(m).screen == screenMessage && ok && root(m).message.ReportContext() != nil
	})
	keys(tm, ":")
	tm.Type("export json " + path)
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "exported", func(m tea.Model) bool { return strings.Contains(root(m).flash, "exported") || root(m).flashErr })
	_ = tm.Quit()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var x struct {
		Analysis struct {
			From struct{ Address string } `json:"from"`
		} `json:"analysis"`
		Report *struct {
			ReporterAddress string `json:"reporter_address"`
			CaseKey         string `json:"case_key"`
		} `json:"report"`
	}
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	if x.Report == nil || x.Report.ReporterAddress == "" || x.Report.CaseKey == "" || x.Analysis.From.Address == x.Report.ReporterAddress {
		t.Fatalf("export: analysis from %q, report %+v", x.Analysis.From.Address, x.Report)
	}
}
