package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// File is a file written on the analyst's request — an attachment, a
// message, an export — audited like any other change: over SSH it is a
// file on the server's disk.
type File struct {
	Name   Name // Export, SaveAttachment or SaveMessage
	Target Target
	// Path is what the analyst typed (a leading ~/ is their home).
	Path string
	// Replace allows replacing an existing file (after a yes or --force).
	Replace bool
	// What says what is written, for the audit record ("attachment 2
	// (invoice.pdf)").
	What  string
	Write func(io.Writer) error
}

// ErrExists is returned when the file exists and Replace is not set:
// nothing was written and nothing audited.
var ErrExists = evidence.ErrExists

// WriteFile writes f (mode 0600, never opened or run) and returns the path
// written.
func (l *Layer) WriteFile(ctx context.Context, f File) (string, error) {
	path, err := ExpandHome(f.Path)
	if err != nil {
		return f.Path, err
	}
	if !f.Replace {
		// Asked first so that a "replace it?" question does not leave a
		// failed record behind; WriteFile refuses again without racing.
		if _, err := os.Lstat(path); err == nil {
			return path, fmt.Errorf("%s: %w", path, ErrExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return path, err
		}
	}
	err = l.Run(ctx, Change{Name: f.Name, Target: f.Target, Detail: f.What + " to " + path},
		func(context.Context) error { return evidence.WriteFile(path, f.Replace, f.Write) })
	return path, err
}

// ExpandHome turns a leading ~/ of a typed path into the home directory of
// the user running mailtriage.
func ExpandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path, err
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~")), nil
}

// ItemID names a message in exports and in `act --item-id`:
// account/folder/uidvalidity/uid.
func ItemID(account string, ref mail.FolderRef, uid mail.UID) string {
	return fmt.Sprintf("%s/%s/%d/%d", account, ref.Name, ref.UIDValidity, uid)
}

// ExportKind is what :export writes.
type ExportKind string

// Export kinds.
const (
	ExportJSON ExportKind = "json" // the analysis, in the SOAR connectors' shape
	ExportIOCs ExportKind = "iocs" // the indicators, CSV or JSON
	ExportEML  ExportKind = "eml"  // the original bytes
)

// ExportSpec is one export of one message.
type ExportSpec struct {
	Kind   ExportKind
	Target Target // one message
	Path   string
	// Live writes indicators undefanged (iocs only).
	Live    bool
	Replace bool
	// Raw is the message when the caller has it already (nil: fetched,
	// up to MaxBytes).
	Raw       []byte
	Truncated bool
	MaxBytes  int64
	Limits    evidence.Limits
	// Report, when the message is a reported original (Raw), is the
	// report around it: JSON exports carry it as context.
	Report *evidence.ReportContext
}

// Export writes one message's analysis, indicators or bytes to a file and
// returns the status line.
func (l *Layer) Export(ctx context.Context, s ExportSpec) (string, error) {
	t := s.Target
	if len(t.UIDs) != 1 {
		return "", fmt.Errorf("export one message at a time (%d selected)", len(t.UIDs))
	}
	uid := t.UIDs[0]
	if s.Raw == nil {
		raw, err := t.Box.Fetch(ctx, t.Folder, uid, s.MaxBytes)
		if err != nil {
			return "", fmt.Errorf("read message %d: %w", uid, err)
		}
		s.Raw, s.Truncated = raw.Raw, raw.Truncated
	}
	what, write := exportWriter(s, ItemID(t.Account, t.Folder, uid))
	path, err := l.WriteFile(ctx, File{Name: remediate.Export, Target: t, Path: s.Path, Replace: s.Replace, What: what, Write: write})
	if err != nil {
		return "", err
	}
	text := fmt.Sprintf("exported %s of message %d to %s (mode 0600)", what, uid, path)
	if s.Truncated {
		text += " — only the first part: the message is larger than max_message_bytes"
	}
	return text, nil
}

func exportWriter(s ExportSpec, itemID string) (string, func(io.Writer) error) {
	switch s.Kind {
	case ExportJSON:
		what := "the analysis (JSON)"
		if s.Report != nil {
			what = "the analysis of the reported original, with its report (JSON)"
		}
		return what, func(w io.Writer) error {
			return evidence.ExportReportedJSON(w, s.Raw, itemID, s.Target.Folder.Name, s.Limits, s.Report)
		}
	case ExportIOCs:
		ev := evidence.Analyze(s.Raw, s.Limits)
		iocs, form := evidence.IOCs(ev), "defanged"
		if s.Live {
			iocs, form = evidence.RawIOCs(ev), "live, not defanged"
		}
		format, write := "JSON", func(w io.Writer) error { return evidence.WriteIOCsJSON(w, iocs) }
		if strings.HasSuffix(strings.ToLower(s.Path), ".csv") {
			format, write = "CSV", func(w io.Writer) error { return evidence.WriteIOCsCSV(w, iocs) }
		}
		return fmt.Sprintf("%d indicators (%s, %s)", len(iocs), form, format), write
	}
	raw := s.Raw
	return fmt.Sprintf("the original message (%d bytes)", len(raw)), func(w io.Writer) error { _, err := w.Write(raw); return err }
}
