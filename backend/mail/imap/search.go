package imap

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// criteria compiles a query to IMAP SEARCH criteria. Every term becomes a
// search key on the server; negated terms go under NOT.
func criteria(q mail.Query) (*imap.SearchCriteria, error) {
	c := &imap.SearchCriteria{Since: q.Since, Before: q.Before}
	for _, t := range q.Terms {
		one, err := termCriteria(t)
		if err != nil {
			return nil, err
		}
		if t.Not {
			c.Not = append(c.Not, *one)
		} else {
			c.And(one)
		}
	}
	return c, nil
}

func termCriteria(t mail.Term) (*imap.SearchCriteria, error) {
	c := &imap.SearchCriteria{}
	switch t.Field {
	case mail.FieldFrom:
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: "From", Value: t.Value})
	case mail.FieldTo:
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: "To", Value: t.Value})
	case mail.FieldSubject:
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: "Subject", Value: t.Value})
	case mail.FieldMessageID:
		c.Header = append(c.Header, imap.SearchCriteriaHeaderField{Key: "Message-Id", Value: strings.Trim(t.Value, "<>")})
	case mail.FieldBody:
		c.Body = append(c.Body, t.Value)
	case mail.FieldText:
		c.Text = append(c.Text, t.Value)
	case mail.FieldTag:
		kw, err := mail.EncodeKeyword(t.Value)
		if err != nil {
			return nil, err
		}
		c.Flag = append(c.Flag, imap.Flag(kw))
	case mail.FieldIs:
		switch t.Value {
		case "unread":
			c.NotFlag = append(c.NotFlag, imap.FlagSeen)
		case "read":
			c.Flag = append(c.Flag, imap.FlagSeen)
		case "flagged":
			c.Flag = append(c.Flag, imap.FlagFlagged)
		case "unflagged":
			c.NotFlag = append(c.NotFlag, imap.FlagFlagged)
		case "deleted":
			c.Flag = append(c.Flag, imap.FlagDeleted)
		}
	default:
		return nil, fmt.Errorf("unknown search field %q", t.Field)
	}
	return c, nil
}

// Search selects folder and runs one UID SEARCH for q on the server.
func (m *Mailbox) Search(ctx context.Context, folder string, q mail.Query) (mail.FolderRef, []mail.UID, error) {
	crit, err := criteria(q)
	if err != nil {
		return mail.FolderRef{}, nil, err
	}
	var ref mail.FolderRef
	var uids []mail.UID
	err = m.with(ctx, mail.FolderRef{Name: folder}, func(cn *conn) error {
		esearch := cn.c.Caps().Has(imap.CapESearch)
		if cn.reused {
			// Some servers (Courier) tell a session about new mail
			// only on NOOP or IDLE, and SEARCH only sees what the
			// session has been told: NOOP first. Not pipelined with
			// the SEARCH: Dovecot defers a NOOP's sync until the
			// commands in flight behind it have run.
			if err := cn.c.Noop().Wait(); err != nil {
				return err
			}
		}
		data, err := cn.c.UIDSearch(crit, searchReturn(esearch, false)).Wait()
		if err != nil {
			return err
		}
		ref = mail.FolderRef{Name: m.CanonicalName(folder), UIDValidity: cn.validity}
		uids = toUIDs(data.AllUIDs())
		return nil
	})
	if err != nil {
		return ref, nil, fmt.Errorf("search %q: %w", folder, serverWords(err))
	}
	return ref, uids, nil
}

// messageIDSection is just the Message-ID header: far lighter than the
// envelope for big selections.
var messageIDSection = &imap.FetchItemBodySection{
	Specifier:    imap.PartSpecifierHeader,
	HeaderFields: []string{"Message-Id"},
	Peek:         true,
}

// MessageIDs fetches the Message-ID header of uids in one UID FETCH per
// chunk.
func (m *Mailbox) MessageIDs(ctx context.Context, folder mail.FolderRef, uids []mail.UID) (map[mail.UID]string, error) {
	out := make(map[mail.UID]string, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{messageIDSection}}
	err := m.with(ctx, folder, func(cn *conn) error {
		for _, set := range chunks(uids) {
			bufs, err := cn.c.Fetch(set, opts).Collect()
			if err != nil {
				return err
			}
			for _, b := range bufs {
				if id := parseMessageID(b.FindBodySection(messageIDSection)); id != "" {
					out[mail.UID(b.UID)] = id
				}
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("read Message-IDs in %q: %w", folder.Name, err)
	}
	return out, nil
}

// parseMessageID takes the Message-ID out of a header block, without the
// angle brackets, capped so a hostile header cannot bloat audit records.
func parseMessageID(block []byte) string {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(block)))
	h, _ := r.ReadMIMEHeader()
	id := strings.TrimSpace(h.Get("Message-Id"))
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if len(id) > 998 {
		id = id[:998]
	}
	return id
}

// Append stores raw in folder with the given flags and date.
func (m *Mailbox) Append(ctx context.Context, folder string, raw []byte, flags mail.Flags, date time.Time) (mail.UID, error) {
	if err := checkFolderName(folder); err != nil {
		return 0, err
	}
	opts := &imap.AppendOptions{Flags: imapFlags(flags), Time: date}
	var uid mail.UID
	err := m.with(ctx, mail.FolderRef{}, func(cn *conn) error {
		cmd := cn.c.Append(m.wire(folder), int64(len(raw)), opts)
		if _, err := cmd.Write(raw); err != nil {
			cmd.Close()
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		data, err := cmd.Wait()
		if err != nil {
			return err
		}
		uid = mail.UID(data.UID)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save a copy in %q: %w", folder, serverWords(err))
	}
	return uid, nil
}

func imapFlags(f mail.Flags) []imap.Flag {
	var out []imap.Flag
	if f.Seen {
		out = append(out, imap.FlagSeen)
	}
	if f.Flagged {
		out = append(out, imap.FlagFlagged)
	}
	if f.Answered {
		out = append(out, imap.FlagAnswered)
	}
	for _, k := range f.Keywords {
		if mail.IsAtom(k) {
			out = append(out, imap.Flag(k))
		}
	}
	return out
}

// FolderInfo asks for a folder's counters, size and children in one
// pipelined flight: STATUS, a LIST of the level below, and (where STATUS
// cannot count \Deleted messages) nothing more: Deleted stays 0.
func (m *Mailbox) FolderInfo(ctx context.Context, name string) (mail.FolderInfo, error) {
	info := mail.FolderInfo{Name: name, Size: -1}
	err := m.with(ctx, mail.FolderRef{}, func(cn *conn) error {
		caps := cn.c.Caps()
		opts := &imap.StatusOptions{NumMessages: true, NumUnseen: true, UIDNext: true, UIDValidity: true}
		if caps.Has(imap.CapStatusSize) {
			opts.Size = true
		}
		if caps.Has(imap.CapIMAP4rev2) {
			opts.NumDeleted = true
		}
		full := m.wire(name)
		status := cn.c.Status(full, opts)
		top := cn.c.List("", full, nil)
		st, err := status.Wait()
		if err != nil {
			_, _ = top.Collect()
			return err
		}
		fillInfo(&info, st)
		tops, err := top.Collect()
		if err != nil || len(tops) == 0 || tops[0].Delim == 0 {
			return err
		}
		kids, err := cn.c.List("", full+string(tops[0].Delim)+"%", nil).Collect()
		if err != nil {
			return err
		}
		for _, k := range kids {
			info.Children = append(info.Children, m.shown(k.Mailbox))
		}
		return nil
	})
	if err != nil {
		return info, fmt.Errorf("folder %q: %w", name, serverWords(err))
	}
	return info, nil
}

func fillInfo(info *mail.FolderInfo, st *imap.StatusData) {
	if st.NumMessages != nil {
		info.Messages = *st.NumMessages
	}
	if st.NumUnseen != nil {
		info.Unseen = *st.NumUnseen
	}
	if st.NumDeleted != nil {
		info.Deleted = *st.NumDeleted
	}
	if st.Size != nil {
		info.Size = *st.Size
	}
	info.UIDNext = uint32(st.UIDNext)
	info.UIDValidity = st.UIDValidity
}
