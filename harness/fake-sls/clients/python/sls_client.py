"""Drives the official Python SDK (PyPI aliyun-log-python-sdk) against an SLS endpoint, so the fake
SLS is tested with the client real users run. Reads one JSON request from stdin --
{"endpoint", "accessKeyId", "accessKeySecret", "ops": [...]} -- runs each op and prints one JSON
result per op as a JSON array. SDK errors are results ({ok: false, code, httpCode, message}).
"""
import json
import socket
import sys

from aliyun.log import GetHistogramsRequest, LogClient, LogException, LogItem, PutLogsRequest

_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    # Project hosts are <project>.localhost, which glibc does not map to loopback.
    if isinstance(host, str) and (host == 'localhost' or host.endswith('.localhost')):
        host = '127.0.0.1'
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_getaddrinfo


def put(client, op):
    items = []
    for fields in op.get('logs', []):
        item = LogItem(timestamp=op['time'])
        item.set_contents(sorted(fields.items()))
        items.append(item)
    tags = sorted(op['tags'].items()) if op.get('tags') else None
    compress = op.get('compress', 'lz4')
    req = PutLogsRequest(op['project'], op['logstore'], op.get('topic', ''), op.get('source', 'sdk-test'), items,
                         hashKey=op.get('hashKey'), compress=compress != 'none', logtags=tags,
                         compress_type=compress if compress != 'none' else None)
    client.put_logs(req)
    return {'ok': True, 'count': 0}


def get_logs(client, op):
    client._get_logs_v2_enabled = op.get('api', 'v2') == 'v2'  # v1 is GET ?type=log, v2 POST /logs
    r = client.get_log(op['project'], op['logstore'], op['from'], op['to'], query=op.get('query'), size=op.get('line', 100))
    logs = [l.get_contents() for l in r.get_logs()]
    return {'ok': True, 'logs': logs, 'count': r.get_count(), 'progress': 'Complete' if r.is_completed() else 'Incomplete'}


def histograms(client, op):
    r = client.get_histograms(GetHistogramsRequest(op['project'], op['logstore'], op['from'], op['to'], '', op.get('query', '*')))
    return {'ok': True, 'count': r.get_total_count(), 'histograms': [h.get_count() for h in r.get_histograms()],
            'progress': 'Complete' if r.is_completed() else 'Incomplete'}


def list_logstores(client, op):
    r = client.list_logstore(op['project'])
    return {'ok': True, 'count': r.get_logstores_count(), 'logstores': r.get_logstores()}


OPS = {'put': put, 'getLogs': get_logs, 'histograms': histograms, 'listLogstores': list_logstores}


def main():
    req = json.load(sys.stdin)
    results = []
    for op in req['ops']:
        ak = op.get('accessKeyId') or req['accessKeyId']
        sk = op.get('accessKeySecret') if op.get('accessKeyId') else req['accessKeySecret']
        client = LogClient(req['endpoint'], ak, sk)
        try:
            results.append(OPS[op['op']](client, op))
        except LogException as e:
            results.append({'ok': False, 'code': e.get_error_code(), 'httpCode': e.resp_status,
                            'message': e.get_error_message()})
    json.dump(results, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
