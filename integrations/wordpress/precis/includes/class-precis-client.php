<?php
/**
 * HTTP calls to Précis (wp_remote_*, with the timeout setting and the API key).
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

/**
 * Précis's API: /v1/summarize, /v1/jobs and a job's results.
 */
class Precis_Client {

	/**
	 * One article for one purpose.
	 *
	 * @param string $html    The post's HTML.
	 * @param string $title   Its title.
	 * @param string $purpose summary, key_points, seo_description or social.
	 * @return array|WP_Error The answer, or why there is none.
	 */
	public static function summarize( $html, $title, $purpose ) {
		return self::request( 'POST', '/v1/summarize', self::item( $html, $title, $purpose ) );
	}

	/**
	 * The JSON fields of one article for one purpose (a summarize request or a job item).
	 *
	 * @param string $html    The post's HTML.
	 * @param string $title   Its title.
	 * @param string $purpose The purpose.
	 * @return array
	 */
	public static function item( $html, $title, $purpose ) {
		$item = array(
			'html'    => $html,
			'purpose' => $purpose,
		);
		if ( '' !== trim( $title ) ) {
			$item['title'] = $title;
		}
		return $item;
	}

	/**
	 * Submits a job whose end Précis reports to the callback.
	 *
	 * @param array  $items        Job items (each with its `id`).
	 * @param string $callback_url Where Précis POSTs the job's end.
	 * @return array|WP_Error The job's view.
	 */
	public static function submit_job( $items, $callback_url ) {
		return self::request(
			'POST',
			'/v1/jobs',
			array(
				'items'        => $items,
				'callback_url' => $callback_url,
			)
		);
	}

	/**
	 * A finished job's result rows (JSON Lines: {"id", "status", "result"|"error"}).
	 *
	 * @param string $job_id The job.
	 * @return array|WP_Error The rows, in input order.
	 */
	public static function job_results( $job_id ) {
		$response = self::send( 'GET', '/v1/jobs/' . rawurlencode( $job_id ) . '/results', null );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$rows = array();
		foreach ( explode( "\n", wp_remote_retrieve_body( $response ) ) as $line ) {
			$row = json_decode( $line, true );
			if ( is_array( $row ) ) {
				$rows[] = $row;
			}
		}
		return $rows;
	}

	/**
	 * A JSON request whose answer is JSON.
	 *
	 * @param string     $method HTTP method.
	 * @param string     $path   Path under the Précis URL.
	 * @param array|null $body   JSON body.
	 * @return array|WP_Error
	 */
	private static function request( $method, $path, $body ) {
		$response = self::send( $method, $path, $body );
		if ( is_wp_error( $response ) ) {
			return $response;
		}
		$answer = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( ! is_array( $answer ) ) {
			return new WP_Error( 'precis_malformed', 'Précis answered something other than JSON.' );
		}
		return $answer;
	}

	/**
	 * Sends one request; a network error or a status other than 2xx becomes a WP_Error.
	 *
	 * @param string     $method HTTP method.
	 * @param string     $path   Path under the Précis URL.
	 * @param array|null $body   JSON body.
	 * @return array|WP_Error The wp_remote_request() response.
	 */
	private static function send( $method, $path, $body ) {
		$settings = Precis_Settings::get();
		$headers  = array( 'Accept' => 'application/json' );
		if ( '' !== $settings['api_key'] ) {
			$headers['Authorization'] = 'Bearer ' . $settings['api_key'];
		}
		$args = array(
			'method'  => $method,
			'timeout' => (float) $settings['timeout'],
			'headers' => $headers,
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = wp_json_encode( $body );
		}
		$response = wp_remote_request( $settings['url'] . $path, $args );
		if ( is_wp_error( $response ) ) {
			return new WP_Error( 'precis_unreachable', 'Précis could not be reached: ' . $response->get_error_message() );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		if ( $status < 200 || $status >= 300 ) {
			return new WP_Error( 'precis_http_' . $status, self::problem( $status, wp_remote_retrieve_body( $response ) ), array( 'status' => $status ) );
		}
		return $response;
	}

	/**
	 * One line from Précis's problem document (RFC 9457).
	 *
	 * @param int    $status HTTP status.
	 * @param string $body   The answer's body.
	 * @return string
	 */
	private static function problem( $status, $body ) {
		$problem = json_decode( $body, true );
		$message = 'Précis answered ' . $status;
		if ( is_array( $problem ) ) {
			$title  = isset( $problem['title'] ) ? (string) $problem['title'] : '';
			$detail = isset( $problem['detail'] ) ? (string) $problem['detail'] : '';
			$message .= ': ' . trim( $title . ( '' !== $detail ? ' (' . $detail . ')' : '' ) );
		}
		return $message;
	}
}
