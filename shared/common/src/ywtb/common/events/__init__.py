"""Events: the CloudEvents envelope, the event bus (Kafka or the embedded log), topics."""
