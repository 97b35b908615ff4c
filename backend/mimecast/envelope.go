package mimecast

import (
	"encoding/json"
	"strconv"
	"strings"
)

// request is the body of every /api call.
type request struct {
	Meta *requestMeta `json:"meta,omitempty"`
	Data []any        `json:"data"`
}

type requestMeta struct {
	Pagination *pageRequest `json:"pagination,omitempty"`
}

type pageRequest struct {
	PageSize  int    `json:"pageSize,omitempty"`
	PageToken string `json:"pageToken,omitempty"`
}

// response is the body of every /api answer.
type response struct {
	Meta responseMeta      `json:"meta"`
	Data []json.RawMessage `json:"data"`
	Fail []Failure         `json:"fail"`
}

type responseMeta struct {
	Status     looseInt     `json:"status"`
	Pagination pageResponse `json:"pagination"`
}

type pageResponse struct {
	PageSize   looseInt `json:"pageSize"`
	TotalCount looseInt `json:"totalCount"`
	Next       string   `json:"next"`
	Previous   string   `json:"previous"`
}

// looseInt accepts a number, a numeric string or an empty string:
// connector documentation shows meta fields as strings, recorded answers as
// numbers, and an envelope field is no reason to fail a whole call.
type looseInt int

func (n *looseInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return err
		}
		v = int(f)
	}
	*n = looseInt(v)
	return nil
}

// check turns a 200 answer's function-level failure into an *APIError.
func (r *response) check(path string) error {
	st := int(r.Meta.Status)
	if len(r.Fail) == 0 && (st == 0 || st/100 == 2) {
		return nil
	}
	e := &APIError{Path: path, Failures: r.Fail}
	if st/100 != 2 {
		e.Status = st
	}
	return e
}
