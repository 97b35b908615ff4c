package audit

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mailtriage/mailtriage/backend/safejson"
)

func TestWriteAppendsAndRecentReadsNewestFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	id := l.NewID()
	if err := l.Write(Record{ID: id, Phase: PhaseIntent, Operator: "ana", Account: "soc", Action: "move", Folder: "INBOX", Dest: "Junk", UIDs: []uint32{4, 5}, MessageIDs: []string{"a@x", "b\x1b[2J@x"}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(Record{ID: id, Phase: PhaseResult, Operator: "ana", Account: "soc", Action: "move", Result: "ok", Done: 2}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Recent(10)
	if err != nil || len(got) != 2 {
		t.Fatalf("Recent: %v %v", got, err)
	}
	if got[0].Phase != PhaseResult || got[1].Phase != PhaseIntent || got[1].MessageIDs[1] != "b\x1b[2J@x" {
		t.Fatalf("records %+v", got)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "\x1b") {
		t.Fatal("raw escape byte in the log file: a `cat` of it would run it")
	}
	if lines := strings.Count(string(data), "\n"); lines != 2 {
		t.Fatalf("%d lines", lines)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

func TestConcurrentWritersNeverInterleave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	a, _ := Open(path)
	b, _ := Open(path)
	var wg sync.WaitGroup
	for _, l := range []*Log{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if err := l.Write(Record{ID: l.NewID(), Phase: PhaseIntent, Action: "tag", Detail: strings.Repeat("x", 300)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := a.Recent(1000)
	if err != nil || len(got) != 400 {
		t.Fatalf("%d records, %v", len(got), err)
	}
}

func TestRecentSkipsTornLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, []byte("{\"id\":\"1\",\"phase\":\"intent\"}\n{\"id\":\"2\",\"pha"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, _ := Open(path)
	if err := l.Write(Record{ID: "3", Phase: PhaseIntent}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Recent(5)
	if err != nil || len(got) != 2 || got[0].ID != "3" || got[1].ID != "1" {
		t.Fatalf("%+v %v", got, err)
	}
}

// Folder names, keywords and server answers come from the server: in the
// log file they are \u escapes, and they read back as they were.
func TestHostileValuesAreEscapedInTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	folder := "Inbox\u009b2J\u202Egpj.exe\x7f"
	detail := "tag \u200B\U000E0041\uFE0F"
	serverNo := "NO \u0085 \u2066x\u2069"
	if err := l.Write(Record{ID: "1", Phase: PhaseResult, Operator: "ana", Account: "soc", Action: "move", Folder: folder, Detail: detail, Error: serverNo}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !safejson.Clean(data) {
		t.Fatalf("raw hidden characters in the log file: %q", data)
	}
	got, err := l.Recent(1)
	if err != nil || len(got) != 1 || got[0].Folder != folder || got[0].Detail != detail || got[0].Error != serverNo {
		t.Fatalf("read back %+v, %v", got, err)
	}
}
