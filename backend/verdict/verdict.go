// Package verdict groups reports of one reported original into cases,
// records the analyst's verdict on a case (an IMAP keyword on every
// report, on the server, so every analyst and every serve host sees it;
// optionally a move) and answers each reporter once from a per-verdict
// template.
//
// It is its own package, not part of package action, because it needs
// report recognition (package reported) and feedback templates that the
// action layer does not: it composes the layer's audited Run and Do
// rather than widening the layer. Every change still goes through
// action.Layer, under the action names remediate.Verdict and
// remediate.FeedbackSend.
package verdict

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// categoryPrefix starts the category a verdict is stored as: the
// verdict phishing is the category "verdict phishing", which
// mail.EncodeKeyword stores as the keyword "$mt_verdict_20phishing" (and
// Graph as that category). Names are restricted to lower-case letters,
// digits and '-', which the encoding keeps as they are, so the keyword
// survives servers that lower-case keywords.
const categoryPrefix = "verdict "

// FeedbackKeyword marks a report whose reporter has been answered for its
// case, so that no reporter gets two replies for one case, whoever sends.
// It is mail.EncodeKeyword of the category "feedback sent", so that it
// round-trips through Graph categories too.
const FeedbackKeyword = "$mt_feedback_20sent"

// FallbackParent is the folder under which a server that cannot store
// keywords keeps each verdict's reports when the verdict has no folder
// configured: "Verdicts/phishing". It is not created: the analyst (or the
// mail admin) creates it, or configures a folder.
const FallbackParent = "Verdicts"

// Verdict is one verdict an analyst can give a case.
type Verdict struct {
	Name string
	// Folder, when set, is where the reports go once the verdict is
	// given; on a server that cannot store keywords it is also where the
	// verdict is kept.
	Folder string
	// Subject and Body render the reply to each reporter.
	Subject, Body *template.Template
}

// Keyword is the IMAP keyword that stores the verdict on a report. Names
// are checked by Build, so the encoding cannot fail.
func (v Verdict) Keyword() string {
	kw, _ := mail.EncodeKeyword(categoryPrefix + v.Name)
	return kw
}

// FallbackFolder is where the verdict is kept on a server without
// keywords: the configured folder, else Verdicts/<name>.
func (v Verdict) FallbackFolder(delim rune) string {
	if v.Folder != "" {
		return v.Folder
	}
	if delim == 0 {
		delim = '/'
	}
	return FallbackParent + string(delim) + v.Name
}

// Set is the configured list of verdicts, in the order the console offers
// them.
type Set []Verdict

// Lookup finds a verdict by name (case-insensitively).
func (s Set) Lookup(name string) (Verdict, error) {
	for _, v := range s {
		if strings.EqualFold(v.Name, name) {
			return v, nil
		}
	}
	return Verdict{}, fmt.Errorf("no verdict %q (configured: %s)", name, strings.Join(s.Names(), ", "))
}

// Names lists the verdicts' names.
func (s Set) Names() []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = v.Name
	}
	return out
}

// Keywords lists every verdict keyword of the set: giving one verdict
// removes the others.
func (s Set) Keywords() []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = v.Keyword()
	}
	return out
}

// Of returns the verdict that keywords (a report's) carry, or "".
func (s Set) Of(keywords []string) string {
	for _, kw := range keywords {
		for _, v := range s {
			if mail.SameKeyword(kw, v.Keyword()) {
				return v.Name
			}
		}
	}
	return ""
}

// CheckName says why name cannot be a verdict's name, or nil.
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("empty verdict name")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("verdict %q: use lower-case letters, digits and '-' only", name)
		}
	}
	if _, err := mail.EncodeKeyword(categoryPrefix + name); err != nil {
		return fmt.Errorf("verdict %q: %w", name, err)
	}
	return nil
}

// Spec is one verdict as configured: templates as text ("" takes the
// default).
type Spec struct {
	Name            string
	Folder          string
	FeedbackSubject string
	Feedback        string
}

// DefaultNames are the verdicts offered when none are configured.
var DefaultNames = []string{"phishing", "spam", "clean", "simulation"}

// Build turns specs into a Set, parsing (and trial-rendering) every
// template; an error names the verdict and the template. No specs: the
// default set.
func Build(specs []Spec) (Set, error) {
	if len(specs) == 0 {
		for _, n := range DefaultNames {
			specs = append(specs, Spec{Name: n})
		}
	}
	seen := map[string]bool{}
	set := make(Set, 0, len(specs))
	for _, sp := range specs {
		if err := CheckName(sp.Name); err != nil {
			return nil, err
		}
		if seen[sp.Name] {
			return nil, fmt.Errorf("verdict %q is listed twice", sp.Name)
		}
		seen[sp.Name] = true
		v, err := build(sp)
		if err != nil {
			return nil, err
		}
		set = append(set, v)
	}
	return set, nil
}

func build(sp Spec) (Verdict, error) {
	v := Verdict{Name: sp.Name, Folder: sp.Folder}
	subject, body := sp.FeedbackSubject, sp.Feedback
	if subject == "" {
		subject = DefaultSubject
	}
	if body == "" {
		body = DefaultBody(sp.Name)
	}
	var err error
	if v.Subject, err = ParseTemplate("feedback_subject", subject); err != nil {
		return v, &TemplateError{Verdict: sp.Name, Key: "feedback_subject", Err: err}
	}
	if v.Body, err = ParseTemplate("feedback", body); err != nil {
		return v, &TemplateError{Verdict: sp.Name, Key: "feedback", Err: err}
	}
	return v, nil
}

// TemplateError is a feedback template that does not parse or render.
type TemplateError struct {
	Verdict string
	Key     string // feedback or feedback_subject
	Err     error
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("verdict %s: %s: %v", e.Verdict, e.Key, e.Err)
}

func (e *TemplateError) Unwrap() error { return e.Err }

// ParseTemplate parses a feedback template and renders it once with
// sample fields, so that a misspelt field is refused when the
// configuration is loaded, not when the first reply is sent. key names
// the template in text/template's own messages.
func ParseTemplate(key, text string) (*template.Template, error) {
	t, err := template.New(key).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if err := t.Execute(&b, sampleFields); err != nil {
		return nil, err
	}
	return t, nil
}

// DefaultSet is the set without configuration: phishing, spam, clean and
// simulation with the shipped replies.
func DefaultSet() Set {
	set, err := Build(nil)
	if err != nil {
		panic("verdict: the default set does not build: " + err.Error()) // the shipped templates are tested
	}
	return set
}
