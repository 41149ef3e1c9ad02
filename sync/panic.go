package sync

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrPanic marks a panic recovered in a run: it fails that run, never the process, so a daemon
// goes on with its schedule after a bug or a response no one foresaw.
var ErrPanic = errors.New("panic")

// PanicError is a recovered panic with the stack it happened on.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

func (p *PanicError) Unwrap() error { return ErrPanic }

// Safely runs f and returns a panic in it as a *PanicError. Every goroutine a run starts runs its
// work through it: recover only works on the goroutine that panicked.
func Safely(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}
