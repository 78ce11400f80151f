package reliability

// The figures the harnesses write to test-artifacts/reliability/*.json,
// read back by ./report for RELIABILITY.md: one definition for both.

// CrashFigures is what a crash run writes to test-artifacts/reliability.
type CrashFigures struct {
	Harness      string         `json:"harness"`
	Database     string         `json:"database"`
	FinishedAt   string         `json:"finished_at"`
	Machine      map[string]any `json:"machine"`
	Kills        int            `json:"kills"`
	Duration     string         `json:"duration"`
	Attempted    map[string]int `json:"writes_attempted"`
	Acknowledged map[string]int `json:"writes_acknowledged"`
	Retried      map[string]int `json:"retried_after_restart"`
	Interrupted  int            `json:"requests_interrupted_by_kill"`
	Referrals    int            `json:"referrals_acknowledged"`
	Batches      int            `json:"batch_files"`
	BatchRows    int            `json:"batch_rows"`
	RestartP50   string         `json:"restart_to_ready_p50"`
	RestartMax   string         `json:"restart_to_ready_max"`
	Violations   []string       `json:"violations"`
}

// SoakFigures is what a soak run writes to test-artifacts/reliability.
type SoakFigures struct {
	Harness      string         `json:"harness"`
	Database     string         `json:"database"`
	FinishedAt   string         `json:"finished_at"`
	Machine      map[string]any `json:"machine"`
	Clients      int            `json:"clients"`
	Duration     string         `json:"duration"`
	Requests     int            `json:"requests"`
	Errors       int            `json:"errors"`
	PerSecond    float64        `json:"requests_per_second"`
	Kinds        []KindFigures  `json:"kinds"`
	ErrorSamples []string       `json:"error_samples"`
	Memory       MemoryFigures  `json:"memory"`
}

type KindFigures struct {
	Kind   string `json:"kind"`
	Count  int    `json:"count"`
	Errors int    `json:"errors"`
	P50    string `json:"p50"`
	P99    string `json:"p99"`
	Max    string `json:"max"`
}

// MemoryFigures: VmRSS sampled every second; flat as the soak harness defines it.
type MemoryFigures struct {
	Samples      int     `json:"samples"`
	StartMiB     float64 `json:"start_mib"`
	WarmupMaxMiB float64 `json:"warmup_max_mib"`
	MiddleMaxMiB float64 `json:"middle_third_max_mib"`
	LastMaxMiB   float64 `json:"last_third_max_mib"`
	EndMiB       float64 `json:"end_mib"`
	Growth       float64 `json:"last_over_middle"`
	LimitMiB     float64 `json:"limit_mib"`
	Flat         bool    `json:"flat"`
	Verdict      string  `json:"verdict"`
}
