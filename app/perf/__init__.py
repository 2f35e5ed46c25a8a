"""Performance tools (DESIGN §11): the data generator and the benchmark (`flask --app app perf`)."""
