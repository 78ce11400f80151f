package bench

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles starts the CPU profile (cpu) and the blocking profile (block)
// asked for by Config (an empty path: not that one) and returns the
// function that stops them and writes them. They start once the data set
// is generated and the server listens (the second generation of growth
// falls inside them when it is measured): the server, the load
// generator and the baselines all run in this process, so a profile shows
// them side by side (look under server.(*Server).ServeHTTP for the
// server's share).
func profiles(cpu, block string) (stop func() error, err error) {
	var cpuFile *os.File
	if cpu != "" {
		if cpuFile, err = os.Create(cpu); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			cpuFile.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
	}
	if block != "" {
		// Every blocking event of 10 µs or more, and a sample of the
		// shorter ones: the waits for a connection, the writer, a lock.
		runtime.SetBlockProfileRate(10_000)
	}
	return func() error {
		var errs []error
		if cpuFile != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpuFile.Close())
		}
		if block != "" {
			errs = append(errs, writeProfile("block", block))
			runtime.SetBlockProfileRate(0)
		}
		return errors.Join(errs...)
	}, nil
}

func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s profile: %w", name, err)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("%s profile: %w", name, err)
	}
	return f.Close()
}
