package config

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mailtriage/mailtriage/backend/verdict"
)

// Verdicts is the [verdicts] table: which verdicts an analyst can give a
// case of reports, and per verdict ([verdicts.NAME]) where its reports go
// and how reporters are answered.
//
//	[verdicts]
//	names = ["phishing", "spam", "clean", "simulation", "bec"]
//
//	[verdicts.phishing]
//	folder = "Phishing reports/Confirmed"
//	feedback_subject = "Your report: {{.Subject}}"
//	feedback = """Hello {{.ReporterName}}, …"""
//
// The table is decoded by hand (UnmarshalTOML) because it mixes the names
// list with one sub-table per verdict; unknown keys are refused like
// everywhere else in the file.
type Verdicts struct {
	Names []string
	Each  map[string]VerdictSettings
}

// VerdictSettings is one [verdicts.NAME] table. Templates are Go
// text/template with the fields ReporterName, Subject, Sender, Verdict,
// CaseSize, Reporters and Analyst; "" takes the shipped default.
type VerdictSettings struct {
	Folder          string
	FeedbackSubject string
	Feedback        string
}

var verdictKeys = []string{"folder", "feedback_subject", "feedback"}

// UnmarshalTOML decodes the [verdicts] table strictly.
func (v *Verdicts) UnmarshalTOML(data any) error {
	table, ok := data.(map[string]any)
	if !ok {
		return fmt.Errorf("verdicts: must be a table")
	}
	v.Each = map[string]VerdictSettings{}
	for _, key := range sortedKeys(table) {
		var err error
		if key == "names" {
			v.Names, err = stringList("verdicts.names", table[key])
		} else {
			err = v.decodeOne(key, table[key])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (v *Verdicts) decodeOne(name string, val any) error {
	t, ok := val.(map[string]any)
	if !ok {
		return fmt.Errorf("unknown setting verdicts.%s (a verdict's settings are a table [verdicts.%s])", name, name)
	}
	var s VerdictSettings
	fields := map[string]*string{"folder": &s.Folder, "feedback_subject": &s.FeedbackSubject, "feedback": &s.Feedback}
	for _, key := range sortedKeys(t) {
		dst, known := fields[key]
		if !known {
			return fmt.Errorf("unknown setting verdicts.%s.%s (want %s)", name, key, strings.Join(verdictKeys, ", "))
		}
		str, ok := t[key].(string)
		if !ok {
			return fmt.Errorf("verdicts.%s.%s: must be a string", name, key)
		}
		*dst = str
	}
	v.Each[name] = s
	return nil
}

func stringList(key string, val any) ([]string, error) {
	items, ok := val.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: must be a list of strings", key)
	}
	out := make([]string, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("%s: must be a list of strings", key)
		}
		out[i] = s
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Specs are the configured verdicts in order: names (the defaults when
// unset) with their settings.
func (v *Verdicts) Specs() []verdict.Spec {
	names := verdict.DefaultNames
	if v != nil && len(v.Names) > 0 {
		names = v.Names
	}
	out := make([]verdict.Spec, len(names))
	for i, n := range names {
		out[i] = verdict.Spec{Name: n}
		if v != nil {
			s := v.Each[n]
			out[i].Folder, out[i].FeedbackSubject, out[i].Feedback = s.Folder, s.FeedbackSubject, s.Feedback
		}
	}
	return out
}

func (v *Verdicts) validate() error {
	if v == nil {
		return nil
	}
	names := v.Names
	if len(names) == 0 {
		names = verdict.DefaultNames
	}
	for _, n := range sortedKeys(anyMap(v.Each)) {
		if !slices.Contains(names, n) {
			return fmt.Errorf("verdicts.%s: not a verdict (names = %s)", n, strings.Join(names, ", "))
		}
		if f := v.Each[n].Folder; f != "" && strings.TrimSpace(f) == "" {
			return fmt.Errorf("verdicts.%s.folder: empty folder name", n)
		}
	}
	if _, err := verdict.Build(v.Specs()); err != nil {
		var te *verdict.TemplateError
		if errors.As(err, &te) {
			return fmt.Errorf("verdicts.%s.%s: %w", te.Verdict, te.Key, te.Err)
		}
		return fmt.Errorf("verdicts.names: %w", err)
	}
	return nil
}

func anyMap(m map[string]VerdictSettings) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// VerdictSet is the verdicts the console offers (the defaults when
// [verdicts] is absent). Validate has checked it, so an error here means
// the configuration was changed after loading.
func (c *Config) VerdictSet() (verdict.Set, error) {
	return verdict.Build(c.Verdicts.Specs())
}

// FeedbackFrom is the address replies to reporters come from: report_from,
// else the login (username, or mailbox for Graph).
func (a *Account) FeedbackFrom() string {
	for _, s := range []string{a.ReportFrom, a.Username, a.Mailbox} {
		if s != "" {
			return s
		}
	}
	return ""
}
