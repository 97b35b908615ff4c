package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
)

func graphConfig(t *testing.T, srv *graphtest.Server) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("GRAPH_SECRET", srv.ClientSecret)
	path := filepath.Join(dir, "config.toml")
	cfg := `audit_log = "` + filepath.Join(dir, "audit.jsonl") + `"
[[accounts]]
name = "m365"
graph = "` + srv.BaseURL() + `"
authority = "` + srv.URL() + `"
tenant = "contoso.onmicrosoft.com"
client_id = "` + srv.ClientID + `"
client_secret_env = "GRAPH_SECRET"
mailbox = "` + srv.Mailbox + `"
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCalendarAndContactsCommands(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	srv.AddContact(graphtest.Contact{DisplayName: "Jane Doe", Email: "jane@example.com"})
	cfg := graphConfig(t, srv)
	var out, errb bytes.Buffer
	code := run([]string{"calendar", "create", "--config", cfg, "--subject", "Phishing debrief", "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00",
		"--attendee", "ciso@example.com", "--reminder", "15", "--show-as", "busy"}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), `"subject": "Phishing debrief"`) {
		t.Fatalf("create: %d %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"calendar", "list", "--config", cfg, "--subject", "debrief", "--from", "2026-11-23"}, &out, &errb); code != 0 {
		t.Fatalf("list: %d %s", code, errb.String())
	}
	var events []map[string]any
	if err := json.Unmarshal(out.Bytes(), &events); err != nil || len(events) != 1 {
		t.Fatalf("events %s %v", out.String(), err)
	}
	out.Reset()
	if code := run([]string{"contacts", "--config", cfg}, &out, &errb); code != 0 || !strings.Contains(out.String(), "jane@example.com") {
		t.Fatalf("contacts: %d %s %s", code, out.String(), errb.String())
	}
	errb.Reset()
	if code := run([]string{"calendar", "create", "--config", cfg, "--subject", "x", "--start", "2026-11-23T10:00", "--end", "2026-11-23T09:00"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "end must be after start") {
		t.Fatalf("bad event: %d %q", code, errb.String())
	}
	data, _ := os.ReadFile(filepath.Join(filepath.Dir(cfg), "audit.jsonl"))
	if !strings.Contains(string(data), `"action":"calendar-create-event"`) || strings.Contains(string(data), srv.ClientSecret) {
		t.Fatalf("audit: %s", data)
	}
}

// A series created with --repeat is listed as its occurrences, with its
// importance.
func TestCalendarListShowsTheOccurrencesOfASeries(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	cfg := graphConfig(t, srv)
	var out, errb bytes.Buffer
	code := run([]string{"calendar", "create", "--config", cfg, "--subject", "Phish review", "--start", "2026-11-23T09:00:00Z", "--end", "2026-11-23T09:30:00Z",
		"--repeat", "weekly", "--repeat-on", "mon,wed", "--repeat-count", "5", "--importance", "high"}, &out, &errb)
	if code != 0 {
		t.Fatalf("create: %d %s", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"calendar", "list", "--config", cfg, "--from", "2026-11-23", "--to", "2026-12-31"}, &out, &errb); code != 0 {
		t.Fatalf("list: %d %s", code, errb.String())
	}
	var events []struct {
		Start      time.Time `json:"start"`
		Importance string    `json:"importance"`
		SeriesID   string    `json:"series_id"`
	}
	if err := json.Unmarshal(out.Bytes(), &events); err != nil || len(events) != 5 {
		t.Fatalf("occurrences: %s %v", out.String(), err)
	}
	if events[1].Start.Weekday() != time.Wednesday || events[4].Start.Day() != 7 || events[0].Importance != "high" || events[0].SeriesID == "" {
		t.Fatalf("occurrences %+v", events)
	}
	errb.Reset()
	if code := run([]string{"calendar", "create", "--config", cfg, "--subject", "x", "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00", "--repeat-on", "mon"}, &out, &errb); code != 2 {
		t.Fatalf("--repeat-on without --repeat: %d %s", code, errb.String())
	}
}
