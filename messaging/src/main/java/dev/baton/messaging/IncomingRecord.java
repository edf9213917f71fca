package dev.baton.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/** The parts of a consumed Kafka record that Baton needs to decode or dead-letter it. */
public record IncomingRecord(String topic, int partition, long offset, String key, Headers headers, byte[] value) {

    public static IncomingRecord of(ConsumerRecord<String, byte[]> record) {
        return new IncomingRecord(record.topic(), record.partition(), record.offset(), record.key(),
                record.headers(), record.value());
    }
}
