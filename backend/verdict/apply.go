package verdict

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// Result is what giving a verdict did.
type Result struct {
	Verdict string
	// Before is the case as it was; After is where its reports are now
	// (another folder and other UIDs when they were moved): feedback and
	// further actions use After.
	Before, After Case
	// Keyword is the keyword set on every report ("" when the server
	// cannot store keywords: Fallback).
	Keyword string
	// Fallback says that the folder cannot store keywords, so the verdict
	// is kept by the folder the reports were moved to.
	Fallback bool
	// Store is what the keyword change really changed (for undo).
	Store mail.StoreResult
	// Moved is the destination, Transfer the move ("" / zero: no move).
	Moved    string
	Transfer mail.Transfer
}

// Summary words the result for the status bar.
func (r Result) Summary() string {
	n := len(r.Before.Reports)
	what := fmt.Sprintf("%d reports", n)
	if n == 1 {
		what = "1 report"
	}
	switch {
	case r.Fallback:
		return fmt.Sprintf("verdict %s: %s moved to %s — %s cannot store keywords, so the folder keeps the verdict", r.Verdict, what, r.Moved, r.Before.Folder.Name)
	case r.Moved != "":
		return fmt.Sprintf("verdict %s on %s (kept on the server), moved to %s", r.Verdict, what, r.Moved)
	}
	return fmt.Sprintf("verdict %s on %s (kept on the server)", r.Verdict, what)
}

// Question is the confirm line.
func Question(c Case, v Verdict) string {
	if v.Folder == "" {
		return fmt.Sprintf("Verdict %s on %s?", v.Name, c.Question())
	}
	them := "them"
	if len(c.Reports) == 1 {
		them = "it"
	}
	return fmt.Sprintf("Verdict %s on %s, and move %s to %s?", v.Name, c.Question(), them, v.Folder)
}

// Apply gives the case verdict v (one of set): every report gets v's
// keyword and loses any other verdict keyword of set, on the server; the
// reports then move to v's folder, if it has one. A folder that cannot
// store keywords keeps the verdict by folder instead: v's folder, else
// Verdicts/<name>, which must exist. One audited change (remediate.Verdict).
func Apply(ctx context.Context, l *action.Layer, c Case, v Verdict, set Set) (Result, error) {
	res := Result{Verdict: v.Name, Before: c, After: c}
	t := c.Target()
	if err := l.Check(remediate.Verdict); err != nil {
		return res, err
	}
	if err := t.Valid(); err != nil {
		return res, err
	}
	canKeywords, err := storesKeywords(ctx, c)
	if err != nil {
		return res, err
	}
	dest := v.Folder
	if !canKeywords {
		res.Fallback = true
		if dest, err = fallbackFolder(ctx, c, v); err != nil {
			return res, err
		}
	} else {
		res.Keyword = v.Keyword()
	}
	if dest == c.Folder.Name {
		if res.Fallback {
			return res, fmt.Errorf("%s cannot store keywords, and the reports are already in it: it keeps the verdict %s already", c.Folder.Name, v.Name)
		}
		dest = "" // the keyword is all there is to do
	}
	detail := detailOf(res, c, dest)
	err = l.Run(ctx, action.Change{Name: remediate.Verdict, Target: t, Detail: detail}, func(ctx context.Context) error {
		return apply(ctx, &res, c, set, dest)
	})
	return res, err
}

func detailOf(res Result, c Case, dest string) string {
	d := fmt.Sprintf("%s on case %s", res.Verdict, c.Key)
	if res.Keyword != "" {
		d += "; keyword " + res.Keyword
	}
	if res.Fallback {
		d += "; the folder cannot store keywords"
	}
	if dest != "" {
		d += "; move to " + dest
	}
	return d
}

// apply stores the keyword and moves, booking both in res.
func apply(ctx context.Context, res *Result, c Case, set Set, dest string) error {
	uids := c.UIDs()
	if res.Keyword != "" {
		others := slices.DeleteFunc(set.Keywords(), func(kw string) bool { return kw == res.Keyword })
		st, err := c.Box.Store(ctx, c.Folder, uids, mail.FlagChange{Add: []string{res.Keyword}, Remove: others})
		res.Store = st
		if err != nil {
			return fmt.Errorf("set verdict keyword: %w", err)
		}
		for i := range res.After.Reports {
			res.After.Reports[i].Keywords = withVerdict(res.After.Reports[i].Keywords, res.Keyword, others)
		}
	}
	if dest == "" {
		return nil
	}
	tr, err := c.Box.Move(ctx, c.Folder, uids, dest)
	res.Moved, res.Transfer = dest, tr
	res.After = moved(res.After, tr)
	if err != nil {
		return fmt.Errorf("move reports to %s: %w", dest, err)
	}
	return nil
}

// withVerdict is keywords after the verdict's STORE.
func withVerdict(keywords []string, add string, remove []string) []string {
	drop := slices.Concat(remove, []string{add})
	out := slices.DeleteFunc(slices.Clone(keywords), func(kw string) bool {
		return slices.ContainsFunc(drop, func(r string) bool { return mail.SameKeyword(kw, r) })
	})
	return append(out, add)
}

// moved is c after tr: the reports that moved are named by their new
// UIDs in the destination; those that did not stay out of it.
func moved(c Case, tr mail.Transfer) Case {
	dst := map[mail.UID]mail.UID{}
	for _, p := range tr.Done {
		dst[p.Src] = p.Dst
	}
	out := c
	out.Folder = tr.To
	out.Reports = nil
	for _, r := range c.Reports {
		if d, ok := dst[r.UID]; ok && d != 0 {
			r.UID = d
			out.Reports = append(out.Reports, r)
		}
	}
	return out
}

// storesKeywords asks the server whether the case's folder keeps
// keywords (PERMANENTFLAGS with \*), as the tag picker does, and checks
// that the folder is still the one the case was read from.
func storesKeywords(ctx context.Context, c Case) (bool, error) {
	l, err := c.Box.List(ctx, c.Folder.Name, 0)
	if err != nil {
		return false, fmt.Errorf("open %s: %w", c.Folder.Name, err)
	}
	if l.Folder.UIDValidity != c.Folder.UIDValidity {
		return false, fmt.Errorf("%s: %w", c.Folder.Name, mail.ErrUIDValidityChanged)
	}
	return l.CanStoreKeywords, nil
}

// fallbackFolder is the folder that keeps v on a server without
// keywords; it must exist (it is not created behind the analyst's back).
func fallbackFolder(ctx context.Context, c Case, v Verdict) (string, error) {
	folders, err := c.Box.Folders(ctx)
	if err != nil {
		return "", fmt.Errorf("list folders: %w", err)
	}
	var delim rune
	for _, f := range folders {
		if f.Name == c.Folder.Name {
			delim = f.Delim
		}
	}
	name := v.FallbackFolder(delim)
	for _, f := range folders {
		if f.Name == name && !f.NoSelect {
			return name, nil
		}
	}
	return "", fmt.Errorf("%s cannot store keywords, so the verdict %s is kept by folder, but there is no folder %q: create it or set folder in [verdicts.%s]", c.Folder.Name, v.Name, name, v.Name)
}

// ErrNothingToUndo is returned by Undo for a result that changed nothing.
var ErrNothingToUndo = errors.New("undo: the verdict changed nothing")

// Undo takes a verdict back: the keywords are restored as they were and
// moved reports go back to the case's folder. Each step is an audited
// request through the layer (revert-flags, move).
func Undo(ctx context.Context, l *action.Layer, r Result) (string, error) {
	reversals := r.Store.Reverse()
	if r.Moved == "" && len(reversals) == 0 {
		return "", ErrNothingToUndo
	}
	c := r.Before
	folder := c.Folder
	if r.Moved != "" {
		if len(r.Transfer.Destinations()) == 0 || r.Transfer.To.Name == "" {
			return "", fmt.Errorf("undo: the server did not say where the reports went (no UIDPLUS); move them back from %s by hand", r.Moved)
		}
		folder = r.Transfer.To
		reversals = mapReversals(reversals, r.Transfer)
	}
	if len(reversals) > 0 {
		req := remediate.Request{Account: c.Account, Box: c.Box, Action: remediate.RevertFlags, Folder: folder, Reversals: reversals}
		for _, rv := range reversals {
			req.UIDs = append(req.UIDs, rv.UIDs...)
		}
		if _, err := l.Do(ctx, req, nil); err != nil {
			return "", fmt.Errorf("undo verdict %s: restore keywords: %w", r.Verdict, err)
		}
	}
	if r.Moved != "" {
		req := remediate.Request{Account: c.Account, Box: c.Box, Action: remediate.Move, Folder: folder, UIDs: r.Transfer.Destinations(), Dest: c.Folder.Name}
		if _, err := l.Do(ctx, req, nil); err != nil {
			return "", fmt.Errorf("undo verdict %s: move back to %s: %w", r.Verdict, c.Folder.Name, err)
		}
		return fmt.Sprintf("verdict %s taken back: keywords restored, reports back in %s", r.Verdict, c.Folder.Name), nil
	}
	return fmt.Sprintf("verdict %s taken back: keywords restored", r.Verdict), nil
}

// mapReversals names the reversals' messages by their UIDs after tr.
func mapReversals(rev []mail.Reversal, tr mail.Transfer) []mail.Reversal {
	dst := map[mail.UID]mail.UID{}
	for _, p := range tr.Done {
		dst[p.Src] = p.Dst
	}
	var out []mail.Reversal
	for _, r := range rev {
		var uids []mail.UID
		for _, u := range r.UIDs {
			if d, ok := dst[u]; ok && d != 0 {
				uids = append(uids, d)
			}
		}
		if len(uids) > 0 {
			out = append(out, mail.Reversal{Change: r.Change, UIDs: uids})
		}
	}
	return out
}
