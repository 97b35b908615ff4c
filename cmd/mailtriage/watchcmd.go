package main

import (
	"context"
	"errors"
	"io"
)

func runWatch(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	return fail(stderr, 2, errors.New("watch is not in this build yet"))
}
