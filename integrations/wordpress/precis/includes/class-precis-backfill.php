<?php
/**
 * Archive backfill: the published posts Précis has not summarised go to Précis as one job
 * (POST /v1/jobs, item id = post ID) whose end Précis reports to a REST route here. The
 * route verifies the Standard Webhooks signature and, on job.succeeded, reads the results once
 * and writes them back. Nothing polls.
 *
 * @package Precis
 */

defined( 'ABSPATH' ) || exit;

/**
 * The backfill's admin action and its webhook route.
 */
class Precis_Backfill {

	const ACTION = 'precis_backfill';
	const JOBS   = 'precis_jobs';

	/**
	 * Hooks the admin action and the REST route.
	 */
	public static function register() {
		add_action( 'admin_post_' . self::ACTION, array( __CLASS__, 'handle_backfill' ) );
		add_action( 'rest_api_init', array( __CLASS__, 'register_route' ) );
	}

	/**
	 * Where Précis sends the job's end.
	 *
	 * @return string
	 */
	public static function callback_url() {
		return rest_url( 'precis/v1/webhook' );
	}

	/**
	 * The settings page's backfill form and the jobs it submitted.
	 */
	public static function render_section() {
		$jobs = get_option( self::JOBS, array() );
		?>
		<h2>Archive backfill</h2>
		<p>Sends every published post that has no Précis summary yet to Précis as one job. Précis calls this site back when the job ends (it needs the webhook secret above), and the results are written to the posts.</p>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="<?php echo esc_attr( self::ACTION ); ?>" />
			<?php wp_nonce_field( self::ACTION ); ?>
			<?php submit_button( 'Summarise the archive', 'secondary', 'submit', false ); ?>
		</form>
		<?php if ( $jobs ) : ?>
			<table class="widefat striped" style="margin-top:1em">
				<thead><tr><th>Job</th><th>Posts</th><th>Submitted</th><th>Status</th></tr></thead>
				<tbody>
				<?php foreach ( array_reverse( $jobs, true ) as $job_id => $job ) : ?>
					<tr>
						<td><code><?php echo esc_html( $job_id ); ?></code></td>
						<td><?php echo esc_html( (string) $job['posts'] ); ?></td>
						<td><?php echo esc_html( wp_date( 'Y-m-d H:i', (int) $job['submitted'] ) ); ?></td>
						<td><?php echo esc_html( $job['status'] ); ?></td>
					</tr>
				<?php endforeach; ?>
				</tbody>
			</table>
		<?php endif; ?>
		<?php
	}

	/**
	 * admin-post.php?action=precis_backfill: nonce and manage_options, then the job.
	 */
	public static function handle_backfill() {
		check_admin_referer( self::ACTION );
		if ( ! current_user_can( 'manage_options' ) || ! current_user_can( 'edit_others_posts' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to summarise the archive.', 'precis' ), 403 );
		}
		$result = self::submit();
		if ( is_wp_error( $result ) ) {
			add_settings_error( 'precis', 'precis_backfill', $result->get_error_message() );
		} else {
			add_settings_error( 'precis', 'precis_backfill', 'Submitted to Précis as job ' . $result . ': the posts are written when it ends.', 'success' );
		}
		// The settings page shows these messages once (options-head.php reads them back).
		set_transient( 'settings_errors', get_settings_errors(), 30 );
		wp_safe_redirect( add_query_arg( array( 'page' => Precis_Settings::PAGE, 'settings-updated' => 'false' ), admin_url( 'options-general.php' ) ) );
		exit;
	}

	/**
	 * Submits the published posts without a Précis summary as one job.
	 *
	 * @return string|WP_Error The job's id.
	 */
	public static function submit() {
		if ( '' === Precis_Settings::get()['webhook_secret'] ) {
			return new WP_Error( 'precis_no_secret', 'Set the webhook secret first: without it the results could not be verified.' );
		}
		$post_ids = get_posts(
			array(
				'post_type'      => 'post',
				'post_status'    => 'publish',
				'fields'         => 'ids',
				'posts_per_page' => -1,
				'orderby'        => 'ID',
				'order'          => 'ASC',
				'meta_query'     => array( // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_query -- one admin action.
					array(
						'key'     => 'precis_model',
						'compare' => 'NOT EXISTS',
					),
				),
			)
		);
		$items    = array();
		foreach ( $post_ids as $post_id ) {
			$post = get_post( $post_id );
			if ( '' === trim( wp_strip_all_tags( $post->post_content ) ) ) {
				continue;
			}
			foreach ( Precis_Post_Summary::purposes() as $purpose ) {
				$items[] = array( 'id' => (string) $post_id ) + Precis_Client::item( Precis_Post_Summary::html( $post ), $post->post_title, $purpose );
			}
		}
		if ( array() === $items ) {
			return new WP_Error( 'precis_nothing', 'Every published post already has a Précis summary.' );
		}
		$job = Precis_Client::submit_job( $items, self::callback_url() );
		if ( is_wp_error( $job ) ) {
			return $job;
		}
		$jobs               = get_option( self::JOBS, array() );
		$jobs[ $job['id'] ] = array(
			'posts'     => count( array_unique( wp_list_pluck( $items, 'id' ) ) ),
			'submitted' => time(),
			// The callback may have come first: its status stays.
			'status'    => $jobs[ $job['id'] ]['status'] ?? (string) $job['status'],
		);
		update_option( self::JOBS, array_slice( $jobs, -20, null, true ), false );
		return (string) $job['id'];
	}

	/**
	 * POST /precis/v1/webhook (anyone may call it: the signature is what proves Précis sent it).
	 */
	public static function register_route() {
		register_rest_route(
			'precis/v1',
			'/webhook',
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'receive' ),
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * Verifies the signature, then handles the event.
	 *
	 * @param WP_REST_Request $request The callback.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function receive( $request ) {
		$body     = $request->get_body();
		$verified = Precis_Signature::verify(
			Precis_Settings::get()['webhook_secret'],
			(string) $request->get_header( 'webhook-id' ),
			(string) $request->get_header( 'webhook-timestamp' ),
			(string) $request->get_header( 'webhook-signature' ),
			$body,
			time()
		);
		if ( ! $verified ) {
			return new WP_Error( 'precis_bad_signature', 'The webhook signature is missing, wrong or too old.', array( 'status' => 401 ) );
		}
		$event  = json_decode( $body, true );
		$job_id = isset( $event['data']['id'] ) ? (string) $event['data']['id'] : '';
		$type   = isset( $event['type'] ) ? (string) $event['type'] : '';
		$jobs   = get_option( self::JOBS, array() );
		if ( '' === $job_id ) {
			return new WP_Error( 'precis_bad_event', 'The event names no job.', array( 'status' => 400 ) );
		}
		// A job not listed yet is handled too: its callback can come before submit() has stored it.
		$job = $jobs[ $job_id ] ?? array();
		if ( 'written' === ( $job['status'] ?? '' ) ) {
			return new WP_REST_Response( array( 'written' => 0 ), 200 );  // A redelivery: the results are in.
		}
		if ( 'writing' === ( $job['status'] ?? '' ) && time() - (int) ( $job['writing_since'] ?? 0 ) < 10 * MINUTE_IN_SECONDS ) {
			return new WP_REST_Response( array( 'writing' => true ), 202 );  // A redelivery while the first still writes.
		}
		if ( 'job.succeeded' !== $type ) {
			self::set_status( $job_id, isset( $event['data']['status'] ) ? (string) $event['data']['status'] : $type );
			return new WP_REST_Response( array( 'written' => 0 ), 200 );
		}
		$rows = Precis_Client::job_results( $job_id );
		if ( is_wp_error( $rows ) ) {
			// 503: Précis retries the webhook, and the results are asked for again then.
			return new WP_Error( 'precis_results', $rows->get_error_message(), array( 'status' => 503 ) );
		}
		// A large archive may take longer than Précis waits for the answer: finish writing anyway.
		ignore_user_abort( true );
		self::set_status( $job_id, 'writing', array( 'writing_since' => time() ) );
		$written = self::write_rows( $rows );
		self::set_status( $job_id, 'written' );
		return new WP_REST_Response( array( 'written' => $written ), 200 );
	}

	/**
	 * Writes result rows back: each post's answers together, or its error (and a retry).
	 *
	 * @param array $rows The job's rows.
	 * @return int How many posts were written.
	 */
	public static function write_rows( $rows ) {
		$answers = array();
		$errors  = array();
		foreach ( $rows as $row ) {
			$post_id = isset( $row['id'] ) ? absint( $row['id'] ) : 0;
			if ( ! $post_id || 'post' !== get_post_type( $post_id ) ) {
				continue;
			}
			if ( 200 === (int) ( $row['status'] ?? 0 ) && isset( $row['result'] ) ) {
				$purpose                         = $row['result']['purpose']['name'] ?? 'summary';
				$answers[ $post_id ][ $purpose ] = $row['result'];
			} else {
				$errors[ $post_id ] = 'Précis refused it in the archive job: ' . ( $row['error']['detail'] ?? $row['error']['title'] ?? 'unknown error' );
			}
		}
		foreach ( $errors as $post_id => $message ) {
			Precis_Post_Summary::fail( $post_id, $message );
		}
		$written = 0;
		foreach ( array_diff_key( $answers, $errors ) as $post_id => $by_purpose ) {
			Precis_Post_Summary::write( $post_id, $by_purpose );
			++$written;
		}
		return $written;
	}

	/**
	 * Records a job's status for the settings page.
	 *
	 * @param string $job_id The job.
	 * @param string $status Its status.
	 * @param array  $extra  Other fields to record.
	 */
	private static function set_status( $job_id, $status, $extra = array() ) {
		$jobs                      = get_option( self::JOBS, array() );
		$jobs[ $job_id ]           = $extra + ( $jobs[ $job_id ] ?? array() ) + array(
			'posts'     => 0,
			'submitted' => time(),
		);
		$jobs[ $job_id ]['status'] = $status;
		update_option( self::JOBS, array_slice( $jobs, -20, null, true ), false );
	}
}
